#!/usr/bin/env bash
# Stops what `npm run local` leaves running on purpose: the local control plane
# (npm run cluster:down) and the local libvirtd with its guests (hack/libvirt/down.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

npm run --silent cluster:down
[ "$(id -u)" -ne 0 ] || bash "$HACK_DIR/libvirt/down.sh"
