#!/usr/bin/env bash
# Installs what the tests and the main job need: Debian packages, npm packages (with the
# pinned Node.js), and kube-apiserver, etcd, kubectl and helm built from the Go module
# proxy. Idempotent: a second run takes seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

bash "$HACK_DIR/install-deps.sh"

stamp=node_modules/.servirt-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
node_version=$(node_modules/.bin/node --version)
[ "$node_version" = "v$NODE_VERSION" ] || die "node_modules/.bin/node is $node_version, expected v$NODE_VERSION"

bash "$HACK_DIR/build-go-tools.sh" >/dev/null
