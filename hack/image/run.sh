#!/usr/bin/env bash
# Runs a command in a fresh container of an image of servirt's image storage (as the image's
# user, chroot isolation, the host's network), then removes the container: a quick look inside
# an image without a node.
#
#   hack/image/run.sh IMAGE COMMAND [ARG...]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$HACK_DIR/image/buildah.sh"
[ $# -ge 2 ] || die "usage: $0 IMAGE COMMAND [ARG...]"
image=$1
shift
container=$("${BUILDAH[@]}" from --quiet --pull=never "$image")
trap '"${BUILDAH[@]}" rm "$container" >/dev/null' EXIT
"${BUILDAH[@]}" run --isolation chroot "$container" -- "$@"
