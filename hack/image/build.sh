#!/usr/bin/env bash
# `npm run image`: builds the operator image and the benchmark runner image from the
# Dockerfile with buildah (no daemon), FROM the local bases of hack/image/base.sh, or FROM
# --base IMAGE (for instance node:24-bookworm-slim where a registry can be reached).
#
#   hack/image/build.sh [--base IMAGE]   build what is missing; print the images (last line, JSON)
#
# Each image is kept as an OCI archive in $SERVIRT_CACHE/images/, named after a hash of its
# inputs (the Dockerfile, the build context it copies, the base): unchanged inputs build
# nothing. The last line: {"operator": {"image", "archive", "bytes"}, "runner": {…}, "pause": {…}},
# where bytes is the image's unpacked size (the pause image's: its archive; hack/image/pause.sh). Build output goes to $SERVIRT_CACHE/images/build-<hash>.log.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$HACK_DIR/image/buildah.sh"
cd "$REPO_DIR"

base= build_base=
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=${2:?--base needs an image} build_base=$2; shift 2 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
command -v buildah >/dev/null || die "buildah not found: run hack/install-deps.sh"
[ -n "$base" ] || read -r base build_base < <(bash "$HACK_DIR/image/base.sh" | tail -n1)
[ -n "$build_base" ] || die "hack/image/base.sh made no base image"

# What the Dockerfile can see (.dockerignore is an allowlist): the same files, hashed.
context_files() {
  printf '%s\n' Dockerfile .dockerignore package.json package-lock.json tsconfig.json \
    tsconfig.build.json hack/image-packages.txt hack/runner-packages.txt
  find operator -type f -not -name '*.test.ts' -not -path '*/testdata/*' | LC_ALL=C sort
}
hash=$({
  echo "$base $build_base"
  context_files | while read -r f; do printf '%s\n' "$f"; sha256sum <"$f"; done
} | sha256sum | cut -c1-16)
version=$(node -p 'require("./package.json").version')
tag=$version-$hash
build_log=$IMAGE_STORE/build-$hash.log

# Every 15 s while buildah runs: the Dockerfile step it is at (buildah prints "[2/3] STEP 4/9: RUN …").
show_progress() { # log-file target
  local last='' step
  while sleep 15 >/dev/null 2>&1; do
    step=$(grep -aoE '^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/[0-9]+: [A-Z]+.{0,60}' "$1" | tail -n 1 || true)
    [ -z "$step" ] || [ "$step" = "$last" ] || log "$2 image: $step"
    last=$step
  done
}

exec 9>"$IMAGE_STORE/build-$hash.lock"
flock 9
started=$(date +%s)
declare -A bytes
for target in runner operator; do
  repo=servirt
  [ "$target" = operator ] || repo=servirt-$target
  image=localhost/$repo:$tag
  archive=$IMAGE_STORE/$repo-$tag.oci.tar
  if [ ! -f "$archive" ] || [ ! -f "$archive.bytes" ]; then
    log "building the $target image $image FROM $base"
    show_progress "$build_log" "$target" &
    progress=$!
    if ! "${BUILDAH[@]}" bud --isolation chroot --layers --pull=never \
      --build-arg "BASE_IMAGE=$base" --build-arg "BUILD_IMAGE=$build_base" --target "$target" --tag "$image" . >>"$build_log" 2>&1; then
      kill "$progress" 2>/dev/null || true
      tail -n 30 "$build_log" >&2
      die "building the $target image failed (last lines above; full log: $build_log)"
    fi
    kill "$progress" 2>/dev/null || true
    rm -f "$archive.tmp"
    "${BUILDAH[@]}" push --quiet "$image" "oci-archive:$archive.tmp:$image" >>"$build_log" 2>&1
    image_bytes "$image" >"$archive.bytes"
    mv "$archive.tmp" "$archive"
  fi
  bytes[$target]=$(cat "$archive.bytes")
  log "$target: $image, $((bytes[$target] / 1048576)) MiB ($archive)"
done
log "images ready in $(($(date +%s) - started)) s"

# vfs keeps a full copy per layer: drop every image but these two and their base, and every
# archive of another build, so the store holds one build (about 2 GB), not all of them.
keep=" localhost/servirt:$tag localhost/servirt-runner:$tag $base $build_base "
while read -r image; do
  [[ "$keep" == *" $image "* ]] || "${BUILDAH[@]}" rmi "$image" >/dev/null 2>&1 || true
done < <("${BUILDAH[@]}" images --format '{{.Name}}:{{.Tag}}' |
  grep -E '^localhost/servirt(-runner|-base|-build-base)?:' || true)
"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
for old in "$IMAGE_STORE"/servirt-[0-9]*.oci.tar* "$IMAGE_STORE"/servirt-runner-*.oci.tar* \
  "$IMAGE_STORE"/build-*.log "$IMAGE_STORE"/build-*.lock; do
  case "$old" in *"-$tag.oci.tar"* | *"build-$hash."*) ;; *) rm -f "$old" ;; esac
done
pause=$(bash "$HACK_DIR/image/pause.sh" | tail -n1)
jq -cn --arg tag "$tag" --arg store "$IMAGE_STORE" --argjson pause "$pause" \
  --argjson operatorBytes "${bytes[operator]}" --argjson runnerBytes "${bytes[runner]}" '{
    operator: {image: "localhost/servirt:\($tag)", archive: "\($store)/servirt-\($tag).oci.tar", bytes: $operatorBytes},
    runner: {image: "localhost/servirt-runner:\($tag)", archive: "\($store)/servirt-runner-\($tag).oci.tar", bytes: $runnerBytes},
    pause: $pause
  }'
