#!/usr/bin/env bash
# Stops what `npm run local` leaves running on purpose: the samples (their guests and volumes
# removed by the operator), the local node, the cluster (hack/local/down.ts), and the local
# libvirtd (hack/libvirt/down.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

node_modules/.bin/tsx hack/local/down.ts
[ "$(id -u)" -ne 0 ] || bash "$HACK_DIR/libvirt/down.sh"
