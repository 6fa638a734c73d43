#!/usr/bin/env bash
# The main job on a local default: a local control plane with servirt's CRDs, a local
# libvirtd with the project's Debian guest image (built on first use), the sample resources,
# and the operator reconciling them until the sample guests are Ready, the sample zone is
# served by BIND on ns1 (primary) and ns2 (secondary), and the sample site www.example.com by
# Apache on web1, its A record published in the zone; then the sample Benchmark compares ns1,
# ns2 and a native BIND (its Jobs run as local processes: hack/jobs/localJobRunner.ts stands
# for the kubelet) and the report is served at /benchmarks/default/<name>. Ctrl-C stops the operator; the
# control plane and libvirtd keep running until `npm run local:down` (which also stops the
# guests).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR"

bash "$HACK_DIR/setup.sh"
log "building the guest image if needed (first time: several minutes)"
image=$(bash "$HACK_DIR/guest-image/build.sh" | tail -n 1)
bash "$HACK_DIR/libvirt/up.sh"
bash "$HACK_DIR/libvirt/load-image.sh" "$image"
npm run --silent cluster:up
. "$HACK_DIR/env.sh"
# Everything but the Benchmark now; the Benchmark once the servers it measures are up.
for sample in config/samples/*.yaml; do
  [[ $sample == *_benchmark.yaml ]] || kubectl apply -f "$sample"
done
npm run --silent build

# ZONE NAME: for each server of the DnsZone, the dig command that asks it for NAME.<origin>
# through the guest's DNS forward, and the answer.
show_zone_queries() {
  local zone=$1 name=$2 origin guest dns_port
  origin=$(kubectl get dnszone "$zone" -o jsonpath='{.spec.origin}') || return 0
  log "ask the servers of $origin through their forwards:"
  for guest in $(kubectl get dnszone "$zone" \
    -o jsonpath='{.spec.primary.guestRef.name} {.spec.secondaries[*].guestRef.name}'); do
    dns_port=$(kubectl get guestdomain "$guest" \
      -o jsonpath='{.spec.network.hostForwards[?(@.guestPort==53)].hostPort}' | cut -d' ' -f1)
    printf '  dig @127.0.0.1 -p %s %s.%s   (%s answers: %s)\n' "$dns_port" "$name" "$origin" "$guest" \
      "$(dig @127.0.0.1 -p "$dns_port" "$name.$origin" +short +tries=1 +time=3 | paste -sd ' ')" >&2
  done
}

# SITE: the curl command that fetches the WebSite from each of its guests through the guest's
# HTTP forward, with the site's host name as Host, and the HTTP status it answers with.
show_site_fetches() {
  local site=$1 host_name guest http_port
  host_name=$(kubectl get website "$site" -o jsonpath='{.spec.hostNames[0]}') || return 0
  log "fetch $host_name from its guests through their forwards:"
  for guest in $(kubectl get website "$site" -o jsonpath='{.spec.guests[*].name}'); do
    http_port=$(kubectl get guestdomain "$guest" \
      -o jsonpath='{.spec.network.hostForwards[?(@.guestPort==80)].hostPort}' | cut -d' ' -f1)
    [ -n "$http_port" ] || continue
    printf "  curl -H 'Host: %s' http://127.0.0.1:%s/   (%s answers: %s)\n" "$host_name" "$http_port" \
      "$guest" "$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $host_name" \
        "http://127.0.0.1:$http_port/" 2>&1)" >&2
  done
}

port=${SERVIRT_HTTP_PORT:-8080}
log "starting the operator (logs: .local/operator.log; metrics: http://127.0.0.1:$port/metrics)"
SERVIRT_HTTP_HOST=127.0.0.1 SERVIRT_HTTP_PORT=$port \
  node --max-semi-space-size=1 dist/operator/src/main.js >>.local/operator.log 2>&1 &
operator=$!
log "running benchmark Jobs as local processes (logs: .local/jobs.log)"
node --import tsx hack/jobs/localJobRunner.ts >>.local/jobs.log 2>&1 &
jobs_runner=$!
trap 'kill -TERM "$operator" "$jobs_runner" 2>/dev/null; wait "$operator" "$jobs_runner"' INT TERM EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$operator" 2>/dev/null || die "the operator exited; see .local/operator.log"
  sleep 0.2
done
log "waiting for the sample guests to boot under QEMU software emulation (a few minutes)"
kubectl wait --for=condition=Ready guestdomain --all --timeout=15m || log "not every guest is Ready yet"
log "waiting for the sample zone on its primary (ns1) and secondary (ns2)"
kubectl wait --for=condition=Ready dnszone/example-com --timeout=5m ||
  log "the zone is not Ready yet: kubectl describe dnszone example-com"
log "waiting for the sample site on web1"
kubectl wait --for=condition=Ready website/www --timeout=5m ||
  log "the site is not Ready yet: kubectl describe website www"
kubectl get servirt
show_zone_queries example-com www
show_site_fetches www
log "benchmarking ns1 and ns2 against a native BIND (a few minutes)"
kubectl apply -f config/samples/servirt_v1alpha1_benchmark.yaml
kubectl wait --for=jsonpath='{.status.runs[0].phase}'=Succeeded benchmark/dns-ns1-ns2-native --timeout=20m ||
  log "the benchmark has not finished yet: kubectl describe benchmark dns-ns1-ns2-native"
kubectl get benchmark dns-ns1-ns2-native \
  -o jsonpath='{range .status.runs[0].results[*]}{.target}{"\t"}{.qps}{" q/s\tp99 "}{.latencyP99Ms}{" ms\tratio "}{.ratioToBaseline}{"\n"}{end}' >&2
log "open the report: http://127.0.0.1:$port/benchmarks/default/dns-ns1-ns2-native"
log "the operator runs; Ctrl-C stops it"
wait "$operator"
