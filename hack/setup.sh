#!/usr/bin/env bash
# Installs what the tests and the main job need: Debian packages, npm packages (with the
# pinned Node.js), and kube-apiserver, etcd, kubectl and helm built from the Go module
# proxy. The guest image and the container base images (debootstrap: mostly waiting on the
# Debian archive and the disk) are made beside the Go builds (which take the cores), each cached
# by its own script. Idempotent: a second run takes seconds.
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

beside_logs=$SERVIRT_CACHE/setup-logs
mkdir -p "$beside_logs"
beside=()
# A failure of the Go builds does not leave these running.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
for script in guest-image/build.sh image/base.sh; do
  log "making $script's output beside the Go builds (log: $beside_logs/${script//\//-}.log)"
  bash "$HACK_DIR/$script" >"$beside_logs/${script//\//-}.log" 2>&1 &
  beside+=("$!:$script")
done

bash "$HACK_DIR/build-go-tools.sh" >/dev/null

for entry in "${beside[@]}"; do
  if ! wait "${entry%%:*}"; then
    script=${entry#*:}
    tail -n 40 "$beside_logs/${script//\//-}.log" >&2
    die "hack/$script failed (above: the end of its log)"
  fi
done
