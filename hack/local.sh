#!/usr/bin/env bash
# The main job on a local default, the way users run servirt (hack/local/up.ts): a local
# control plane with a real node, the images built from the Dockerfile, the chart installed with
# helm, this machine's libvirtd as the operator pod's libvirt host, the samples up and the sample
# Benchmark run as pods. Prints how to reach the zone, the site and the report, and a table of
# step times. It all keeps running until `npm run local:down`. Needs root (namespaces, libvirt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

started=$(date +%s)
bash "$HACK_DIR/setup.sh"
log "setup (hack/setup.sh): $(($(date +%s) - started)) s"
exec node_modules/.bin/tsx hack/local/up.ts
