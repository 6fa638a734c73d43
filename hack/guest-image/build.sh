#!/usr/bin/env bash
# Builds servirt's Debian guest image from the Debian archive: debootstrap (minbase), then
# apt inside the new root for hack/guest-image/packages.txt (with the suite's updates and
# security updates), a little configuration for cloud-init/NoCloud, and an ext4 disk made
# with `mkfs.ext4 -d` (nothing is mounted but /proc inside the root while apt runs).
#
#   hack/guest-image/build.sh      build if needed; print the image folder (last line)
#
# Output, in $SERVIRT_CACHE/guest-image-<hash>/ (hash over this script, the GUEST_IMAGE_*
# lines of hack/versions.env and packages.txt, so changed inputs rebuild):
#   vmlinuz, initrd.img  direct kernel boot: -append 'root=LABEL=servirt-root console=ttyS0'
#   disk.qcow2           compressed qcow2, ext4 on the whole disk (no partition table, no
#                        boot loader), the base for copy-on-write overlays
#   manifest.json        suite, mirror, packages, kernel version, sizes, build seconds
# Progress goes to stderr, debootstrap and apt output to $SERVIRT_CACHE/guest-image-<hash>.log.
# Needs root and the packages debootstrap, e2fsprogs, qemu-utils (hack/install-deps.sh).
# GUEST_IMAGE_MIRROR / GUEST_IMAGE_SECURITY_MIRROR override the mirrors read from apt's sources.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

GUEST_DIR="$HACK_DIR/guest-image"
PACKAGES_FILE="$GUEST_DIR/packages.txt"
: "${GUEST_IMAGE_SUITE:?missing in hack/versions.env}" "${GUEST_IMAGE_DISK_SIZE:?missing in hack/versions.env}"
SUITE=$GUEST_IMAGE_SUITE
ROOT_LABEL=servirt-root

# --- cache key ----------------------------------------------------------------------------
hash=$({
  cat "$GUEST_DIR/build.sh"
  grep '^GUEST_IMAGE_' "$HACK_DIR/versions.env"
  cat "$PACKAGES_FILE"
} | sha256sum | cut -c1-16)
name=guest-image-$hash
out=$SERVIRT_CACHE/$name
build_log=$SERVIRT_CACHE/$name.log

if [ -f "$out/manifest.json" ]; then
  echo "$out"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mknod)"
for tool in debootstrap mkfs.ext4 qemu-img chroot flock; do
  command -v "$tool" >/dev/null || die "$tool not found: run hack/install-deps.sh"
done

# One build per hash at a time; a second caller waits, then finds the image.
exec 9>"$SERVIRT_CACHE/$name.lock"
if ! flock -n 9; then
  log "another build of $name is running; waiting for it"
  flock 9
fi
if [ -f "$out/manifest.json" ]; then
  echo "$out"
  exit 0
fi

# --- cleanup: a killed build leaves only a .tmp folder, removed here or by the next run -------
# Unmounts anything below a folder (deepest first), then removes it without crossing mounts.
remove_tree() {
  local dir=$1 mnt
  [ -e "$dir" ] || return 0
  while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}
for stale in "$SERVIRT_CACHE/.$name".tmp.*; do
  [ -e "$stale" ] || continue
  log "removing the remains of an interrupted build: $stale"
  remove_tree "$stale"
done
[ ! -e "$out" ] || remove_tree "$out" # a folder without manifest.json is not an image

tmp=$(mktemp -d "$SERVIRT_CACHE/.$name.tmp.XXXXXX")
root=$tmp/root
step_pid=
# Stops the running step (its own process group: debootstrap or apt and all they started), then
# removes the build folder.
cleanup() {
  if [ -n "$step_pid" ] && kill -0 "$step_pid" 2>/dev/null; then
    log "stopping the running step"
    kill -TERM -- "-$step_pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$step_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$step_pid" 2>/dev/null || true
    wait "$step_pid" 2>/dev/null || true
  fi
  remove_tree "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- mirrors, from apt's configured sources -------------------------------------------------
# Prints the first URI of a 'deb' source that carries suite $1, from one-line *.list files and
# deb822 *.sources files.
apt_source_uri() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$suite" '
      $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" } {
      types = ""; uris = ""; suites = ""; enabled = "yes"
      for (i = 1; i <= NF; i++) {
        line = $i; sub(/^[ \t]+/, "", line); if (line ~ /^#/) continue
        key = tolower(line); sub(/:.*/, "", key); val = line; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
      }
      if (enabled == "no" || (" " types " ") !~ / deb /) next
      n = split(suites, ss, /[ \t]+/)
      for (j = 1; j <= n; j++) if (ss[j] == s) { split(uris, us, /[ \t]+/); print us[1]; exit }
    }' "$f"
  done
}
mirror=${GUEST_IMAGE_MIRROR:-$(apt_source_uri "$SUITE" | head -n1)}
security_mirror=${GUEST_IMAGE_SECURITY_MIRROR:-$(apt_source_uri "$SUITE-security" | head -n1)}
[ -n "$mirror" ] || die "no apt source for suite $SUITE in /etc/apt/sources.list*; set GUEST_IMAGE_MIRROR"
mirror=${mirror%/}
security_mirror=${security_mirror%/}
[ -n "$security_mirror" ] || log "warning: no apt source for $SUITE-security: the image gets no security updates"

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]\+//g' "$PACKAGES_FILE" | grep -v '^$')
[ ${#packages[@]} -gt 0 ] || die "$PACKAGES_FILE lists no packages"

started=$(date +%s)
: >"$build_log"
# Runs a step with its output in the build log; on failure shows the log's tail and stops.
# The step runs in a session of its own (setsid does not fork here: a background child is no
# process group leader), and the script waits for it with `wait`, which a signal interrupts, so
# INT/TERM stop the build at once and cleanup ends the whole step by its process group.
quiet() {
  local what=$1 rc=0
  shift
  printf '\n=== %s: %s\n' "$what" "$*" >>"$build_log"
  setsid "$@" >>"$build_log" 2>&1 </dev/null &
  step_pid=$!
  wait "$step_pid" || rc=$?
  step_pid=
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$build_log" >&2
    die "$what failed with exit code $rc (last lines above; full log: $build_log)"
  fi
}
# A command prefix that runs the rest inside the new root with a clean environment.
in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8
  DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true)

# --- 1. debootstrap: the minimal base from the suite ------------------------------------------
debs=$SERVIRT_CACHE/debs # downloaded .deb files, shared by builds (debootstrap and apt verify them)
mkdir -p "$debs"
log "debootstrap $SUITE (minbase) from $mirror"
quiet debootstrap debootstrap --variant=minbase --components=main --merged-usr \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg --cache-dir="$debs" \
  "$SUITE" "$root" "$mirror"

# --- 2. apt inside the root: updates, then the package list ----------------------------------
{
  echo "deb $mirror $SUITE main"
  echo "deb $mirror $SUITE-updates main"
  [ -z "$security_mirror" ] || echo "deb $security_mirror $SUITE-security main"
} >"$root/etc/apt/sources.list"
# No services start inside the root; no recommends; no docs or translations (copyright stays).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/apt.conf.d/90servirt" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
cat >"$root/etc/dpkg/dpkg.cfg.d/90servirt-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
EOF
# The initrd must find a virtio/xen/ata root by label on any hypervisor: all storage modules.
mkdir -p "$root/etc/initramfs-tools/conf.d"
# FSTYPE: the label cannot be resolved inside the build root, and the initrd should fsck the root.
printf 'MODULES=most\nCOMPRESS=zstd\nFSTYPE=ext4\n' >"$root/etc/initramfs-tools/conf.d/servirt.conf"
# The root mounts by label: the kernel package's hooks read this fstab.
printf 'LABEL=%s / ext4 defaults,errors=remount-ro 0 1\n' "$ROOT_LABEL" >"$root/etc/fstab"

mount -t proc proc "$root/proc"
# Reuse the .deb files of earlier builds (hard links: the cache and the root share a filesystem).
cp -l "$debs"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || cp "$debs"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
log "apt: updates and ${#packages[@]} packages"
quiet "apt-get update" "${in_root[@]}" apt-get update -q
quiet "apt-get dist-upgrade" "${in_root[@]}" apt-get dist-upgrade -y -q
# zstd: the initrd's compressor (COMPRESS=zstd above)
quiet "apt-get install" "${in_root[@]}" apt-get install -y -q zstd "${packages[@]}"
for deb in "$root"/var/cache/apt/archives/*.deb; do
  [ -e "$debs/${deb##*/}" ] || cp -l "$deb" "$debs/" 2>/dev/null || cp "$deb" "$debs/"
done
"${in_root[@]}" apt-get clean
umount "$root/proc"

# --- 3. configuration ------------------------------------------------------------------------
log "configuring the guest"
# cloud-init: NoCloud (seed ISO labelled cidata, or KubeVirt's cloudInitNoCloud) only.
cat >"$root/etc/cloud/cloud.cfg.d/90_servirt.cfg" <<'EOF'
# servirt: first-boot configuration comes from a NoCloud seed only.
datasource_list: [NoCloud, None]
# No password logins, ever; sshd host keys come from the seed (ssh_keys) or are generated.
ssh_pwauth: false
disable_root: true
ssh_deletekeys: true
# Network config from the seed (or DHCP on the first NIC) is rendered for systemd-networkd.
system_info:
  network:
    renderers: [networkd]
    activators: [networkd]
# Only the modules a servirt guest can use: every module costs boot time under emulation, and
# some would fail here (locale: no locales package) or touch what the image fixed (apt sources).
cloud_init_modules:
  - migrator
  - seed_random
  - bootcmd
  - write-files
  - growpart
  - resizefs
  - mounts
  - set_hostname
  - update_hostname
  - update_etc_hosts
  - ca-certs
  - users-groups
  - ssh
cloud_config_modules:
  - set-passwords
  - ntp
  - timezone
  - runcmd
cloud_final_modules:
  - package-update-upgrade-install
  - write-files-deferred
  - scripts-vendor
  - scripts-per-once
  - scripts-per-boot
  - scripts-per-instance
  - scripts-user
  - ssh-authkey-fingerprints
  - keys-to-console
  - phone-home
  - final-message
  - power-state-change
EOF
# DHCP on every Ethernet NIC until cloud-init writes its own (10-cloud-init-*.network wins).
cat >"$root/etc/systemd/network/90-servirt-dhcp.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
# Boot does not wait two minutes for a NIC that never comes up.
mkdir -p "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
cat >"$root/etc/systemd/system/systemd-networkd-wait-online.service.d/servirt.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=30
EOF
# resolved: unicast DNS only; no LLMNR/mDNS chatter from servers on their networks.
mkdir -p "$root/etc/systemd/resolved.conf.d"
printf '[Resolve]\nLLMNR=no\nMulticastDNS=no\n' >"$root/etc/systemd/resolved.conf.d/servirt.conf"
# sshd: keys only; no host keys in the image.
cat >"$root/etc/ssh/sshd_config.d/50-servirt.conf" <<'EOF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
EOF
rm -f "$root"/etc/ssh/ssh_host_*
# named: authoritative only until the operator writes its configuration. No recursion and no
# DNSSEC validation also mean named sends no query of its own (no root priming, no trust anchors).
cat >"$root/etc/bind/named.conf.options" <<'EOF'
options {
	directory "/var/cache/bind";
	// servirt image default: authoritative only, never an open resolver
	recursion no;
	allow-transfer { none; };
	dnssec-validation no;
	listen-on-v6 { any; };
};
EOF
# No secret baked in: bind9's postinst made an rndc key; each guest makes its own at first boot
# (unless cloud-init or the operator wrote one before named starts).
rm -f "$root/etc/bind/rndc.key"
cat >"$root/etc/systemd/system/servirt-rndc-key.service" <<'EOF'
[Unit]
Description=Generate this guest's rndc key
ConditionPathExists=!/etc/bind/rndc.key
After=cloud-init.service
Before=named.service

[Service]
Type=oneshot
ExecStart=/usr/sbin/rndc-confgen -a -A hmac-sha256 -c /etc/bind/rndc.key
ExecStart=/bin/chown root:bind /etc/bind/rndc.key
ExecStart=/bin/chmod 0640 /etc/bind/rndc.key

[Install]
WantedBy=named.service
EOF
# Accounts: root locked; no passwords anywhere (cloud-init's users have lock_passwd: true).
"${in_root[@]}" passwd -l root >/dev/null
echo servirt-guest >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# Services; the serial console on ttyS0 (also when the kernel's console is elsewhere).
# qemu-guest-agent is not enabled here: its unit has no [Install] section, and its udev rule
# starts it when the virtio-serial port org.qemu.guest_agent.0 appears.
quiet "systemctl enable" "${in_root[@]}" systemctl enable systemd-networkd.service systemd-resolved.service \
  ssh.service named.service apache2.service servirt-rndc-key.service serial-getty@ttyS0.service \
  cloud-init-local.service cloud-init.service cloud-config.service cloud-final.service
# No background jobs that skew benchmarks or slow the boot: apt's daily timers (the guest has no
# unattended upgrades), e2scrub (it checks LVM snapshots, and there is no LVM).
quiet "systemctl disable" "${in_root[@]}" systemctl disable apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer e2scrub_reap.service
# A fresh identity at first boot; nothing left from the build.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/var/lib/systemd/random-seed" "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/cloud/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/tmp/* "$root"/var/tmp/* \
  "$root"/root/.bash_history
find "$root/var/log" -type f -exec truncate -s 0 {} +
# Docs that debootstrap installed before the dpkg excludes existed.
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +

# --- 4. boot files, disk, manifest ------------------------------------------------------------
kernels=("$root"/boot/vmlinuz-*)
if [ ${#kernels[@]} -ne 1 ] || [ ! -f "${kernels[0]}" ]; then
  die "expected one kernel in /boot, found: ${kernels[*]}"
fi
kernel_version=${kernels[0]##*/vmlinuz-}
[ -f "$root/boot/initrd.img-$kernel_version" ] || die "no initrd for kernel $kernel_version"
image=$tmp/image
mkdir "$image"
cp "${kernels[0]}" "$image/vmlinuz"
cp "$root/boot/initrd.img-$kernel_version" "$image/initrd.img"

log "making the ext4 disk ($GUEST_IMAGE_DISK_SIZE, label $ROOT_LABEL) and the qcow2"
root_bytes=$(du -sx --block-size=1 "$root" | cut -f1)
quiet mkfs.ext4 mkfs.ext4 -q -F -L "$ROOT_LABEL" -d "$root" -E lazy_itable_init=0,lazy_journal_init=0 \
  "$tmp/disk.raw" "$GUEST_IMAGE_DISK_SIZE"
quiet "qemu-img convert" qemu-img convert -c -f raw -O qcow2 -o cluster_size=65536 "$tmp/disk.raw" "$image/disk.qcow2"
rm -f "$tmp/disk.raw"

# shellcheck disable=SC2016 # dpkg-query expands ${...}, not the shell
installed=$(chroot "$root" dpkg-query -W -f '${binary:Package}=${Version}\n' | sort)
size() { stat -c %s "$1"; }
virtual_size=$(qemu-img info --output=json "$image/disk.qcow2" | jq '.["virtual-size"]')
build_seconds=$(($(date +%s) - started))
jq -n --arg suite "$SUITE" --arg mirror "$mirror" --arg security_mirror "$security_mirror" \
  --arg hash "$hash" --arg kernel "$kernel_version" --arg root_label "$ROOT_LABEL" \
  --arg built "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson seconds "$build_seconds" \
  --argjson root_bytes "$root_bytes" --argjson virtual "$virtual_size" \
  --argjson qcow2 "$(size "$image/disk.qcow2")" --argjson vmlinuz "$(size "$image/vmlinuz")" \
  --argjson initrd "$(size "$image/initrd.img")" \
  --arg requested "$(printf '%s\n' "${packages[@]}")" --arg installed "$installed" '{
    suite: $suite, mirror: $mirror, securityMirror: $security_mirror, hash: $hash,
    builtAt: $built, buildSeconds: $seconds,
    kernelVersion: $kernel,
    kernelCommandLine: ("root=LABEL=" + $root_label + " ro console=ttyS0"),
    rootLabel: $root_label,
    sizes: { rootFilesBytes: $root_bytes, diskVirtualBytes: $virtual, diskQcow2Bytes: $qcow2,
             vmlinuzBytes: $vmlinuz, initrdBytes: $initrd },
    packages: ($requested | split("\n") | map(select(. != ""))),
    installed: ($installed | split("\n") | map(select(. != "")))
  }' >"$image/manifest.json"

# --- 5. into place, atomically ---------------------------------------------------------------
remove_tree "$root"
mv -T "$image" "$out"
log "built $name in ${build_seconds}s: kernel $kernel_version, disk.qcow2 $(du -h "$out/disk.qcow2" | cut -f1)"
echo "$out"
