#!/usr/bin/env bash
# The main job on a local default: a local control plane with servirt's CRDs, the sample
# resources, and the operator reconciling them (Ctrl-C stops the operator; the control
# plane keeps running until `npm run cluster:down`).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

bash "$HACK_DIR/setup.sh"
npm run --silent cluster:up
. "$HACK_DIR/env.sh"
kubectl apply -f config/samples/
npm run --silent build

port=${SERVIRT_HTTP_PORT:-8080}
log "starting the operator (logs: .local/operator.log; metrics: http://127.0.0.1:$port/metrics)"
SERVIRT_HTTP_HOST=127.0.0.1 SERVIRT_HTTP_PORT=$port \
  node --max-semi-space-size=1 dist/operator/src/main.js >>.local/operator.log 2>&1 &
operator=$!
trap 'kill -TERM "$operator" 2>/dev/null; wait "$operator"' INT TERM EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$operator" 2>/dev/null || die "the operator exited; see .local/operator.log"
  sleep 0.2
done
sleep 3
kubectl get servirt
log "the operator runs; Ctrl-C stops it"
wait "$operator"
