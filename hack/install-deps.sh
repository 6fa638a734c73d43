#!/usr/bin/env bash
# Installs the Debian 12 packages servirt needs on a developer machine or in CI:
# everything in hack/image-packages.txt and hack/runner-packages.txt (what the operator
# and the benchmark runner shell out to, the lists the Dockerfile installs) plus
# hack/test-packages.txt (test only).
# Idempotent: installs only what is missing, and runs `apt-get update` only then.
#
#   hack/install-deps.sh           install what is missing (as root)
#   hack/install-deps.sh --check   list what is missing; exit 1 if anything is
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lists=("$HACK_DIR/image-packages.txt" "$HACK_DIR/runner-packages.txt" "$HACK_DIR/test-packages.txt")
check_only=false
case "${1:-}" in
  "") ;;
  --check) check_only=true ;;
  -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  die "needs a Debian-based system (dpkg-query and apt-get); install the packages of ${lists[*]} by hand"
fi

# Package names of a list: strip comments and blanks.
read_list() { sed -e 's/#.*//' -e 's/[[:space:]]\+//g' "$1" | grep -v '^$' || true; }

mapfile -t wanted < <(for f in "${lists[@]}"; do read_list "$f"; done | sort -u)
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#wanted[@]} packages are installed"
  exit 0
fi
if $check_only; then
  log "missing: ${missing[*]}"
  exit 1
fi
[ "$(id -u)" -eq 0 ] || die "must run as root to install ${missing[*]} (try: sudo $0)"

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$out" 2>&1; then
  tail -n 30 "$out" >&2
  die "apt-get failed (last lines above)"
fi
log "done"
