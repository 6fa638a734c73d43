# Sourced by hack/ scripts: pinned versions and the cache location.
HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HACK_DIR/.." && pwd)
# shellcheck source=versions.env
. "$HACK_DIR/versions.env"
# Outside the work tree so that fresh clones (CI) reuse what an earlier run built.
SERVIRT_CACHE=${SERVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/servirt}
mkdir -p "$SERVIRT_CACHE"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }
