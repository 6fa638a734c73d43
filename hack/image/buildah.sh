# Sourced by hack/image/*.sh: buildah with servirt's own image storage in the cache (vfs: no
# mounts are left behind by a build, and nothing is written to the host's /var/lib/containers).
IMAGE_STORE=$SERVIRT_CACHE/images
mkdir -p "$IMAGE_STORE"
BUILDAH=(buildah --root "$IMAGE_STORE/storage" --runroot "$IMAGE_STORE/run" --storage-driver vfs)

# Whether the storage holds an image of this name.
image_exists() { "${BUILDAH[@]}" inspect --type image "$1" >/dev/null 2>&1; }

# An image's unpacked size in bytes (what `docker images` calls its size).
image_bytes() {
  local container dir bytes
  container=$("${BUILDAH[@]}" from --quiet --pull=never "$1")
  dir=$("${BUILDAH[@]}" mount "$container")
  bytes=$(du -sbx "$dir" | cut -f1)
  "${BUILDAH[@]}" umount "$container" >/dev/null
  "${BUILDAH[@]}" rm "$container" >/dev/null
  echo "$bytes"
}
