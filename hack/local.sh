#!/usr/bin/env bash
# The main job on a local default: a local control plane with servirt's CRDs, the sample
# resources, and the operator running in the foreground (Ctrl-C stops it; the control
# plane keeps running until `npm run cluster:down`).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

bash "$HACK_DIR/setup.sh"
npm run --silent cluster:up
. "$HACK_DIR/env.sh"
kubectl apply -f config/samples/
kubectl get servirt
log "starting the operator; Ctrl-C stops it"
npm run --silent build
SERVIRT_HTTP_HOST=${SERVIRT_HTTP_HOST:-127.0.0.1} exec node --max-semi-space-size=1 dist/operator/src/main.js
