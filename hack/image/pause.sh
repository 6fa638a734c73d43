#!/usr/bin/env bash
# Builds the pod sandbox image a node's containerd needs (sandbox_image): hack/image/pause/main.go,
# static, FROM scratch, as uid 65535. Kept as an OCI archive in $SERVIRT_CACHE/images/, named after
# a hash of the source and the Go version; prints {"image", "archive", "bytes"} (last line).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$HACK_DIR/image/buildah.sh"
command -v go >/dev/null || die "go is required: it builds the pause program"
source_file=$HACK_DIR/image/pause/main.go
hash=$({ cat "$source_file" "$0"; go version; } | sha256sum | cut -c1-16)
image=localhost/servirt-pause:$hash
archive=$IMAGE_STORE/servirt-pause-$hash.oci.tar
if [ ! -f "$archive" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= go build -trimpath -ldflags '-s -w' -o pause "$source_file")
  container=$("${BUILDAH[@]}" from --quiet scratch)
  "${BUILDAH[@]}" add --chmod 0755 "$container" "$tmp/pause" /pause >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$container"
  "${BUILDAH[@]}" commit --quiet --rm "$container" "$image" >/dev/null
  "${BUILDAH[@]}" push --quiet "$image" "oci-archive:$archive.tmp:$image"
  mv "$archive.tmp" "$archive"
  for old in "$IMAGE_STORE"/servirt-pause-*.oci.tar; do [ "$old" = "$archive" ] || rm -f "$old"; done
fi
jq -cn --arg image "$image" --arg archive "$archive" --argjson bytes "$(stat -c %s "$archive")" \
  '{image: $image, archive: $archive, bytes: $bytes}'
