#!/usr/bin/env bash
# load-image.sh IMAGE_DIR [NAME]: puts a guest image built by hack/guest-image/build.sh into
# the local storage pool as the volumes NAME.qcow2, NAME.vmlinuz and NAME.initrd.img
# (default NAME: debian-12-servirt), which GuestDomains name in spec.disk.baseImage.
# Volumes already there with the image's content are left alone.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
image=${1:?usage: load-image.sh IMAGE_DIR [NAME]}
name=${2:-debian-12-servirt}
uri=${LIBVIRT_URI:-qemu:///system}
pool=${LIBVIRT_POOL:-servirt}
v() { virsh --quiet --connect "$uri" "$@"; }

stamp=$(sha256sum "$image/manifest.json" | cut -c1-16)
for pair in "disk.qcow2:qcow2" "vmlinuz:vmlinuz" "initrd.img:initrd.img"; do
  file=${pair%%:*}
  volume="$name.${pair#*:}"
  marker="$SERVIRT_CACHE/libvirt-pool-loaded/$pool-$volume"
  if v vol-info --pool "$pool" "$volume" >/dev/null 2>&1 && [ "$(cat "$marker" 2>/dev/null)" = "$stamp" ]; then
    continue
  fi
  v vol-delete --pool "$pool" "$volume" >/dev/null 2>&1 || true
  format=raw
  [ "$file" = disk.qcow2 ] && format=qcow2
  size=$(stat -c %s "$image/$file")
  v vol-create-as --pool "$pool" --name "$volume" --capacity "${size}b" --format "$format" >/dev/null
  v vol-upload --pool "$pool" --vol "$volume" --file "$image/$file"
  mkdir -p "$(dirname "$marker")"
  echo "$stamp" >"$marker"
  log "loaded $volume into pool $pool"
done
