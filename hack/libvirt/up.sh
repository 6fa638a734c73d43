#!/usr/bin/env bash
# A local libvirt host for the libvirt provider's tests: libvirtd (9.0 on Debian 12) with
# the QEMU driver and virtlogd, started by hand (no systemd needed), and a dir storage pool
# named "servirt" at $SERVIRT_CACHE/libvirt-pool. Idempotent; run as root. Installs nothing:
# it names the missing packages (hack/install-deps.sh installs them). Stop with down.sh.
#
#   hack/libvirt/up.sh      then: virsh -c qemu:///system ...
#
# It creates no bridge, no NAT and no libvirt network: guests use QEMU user-mode networking
# with host forwards bound to 127.0.0.1 (see operator/src/providers/libvirt/domainXml.ts).
# Locally, use domain type 'qemu' (TCG): /dev/kvm exists on these machines but KVM guests hang.
#
# Environment: SERVIRT_LIBVIRT_RUN_DIR (default /run/servirt-libvirt) holds the pid files,
# the daemons' config and logs; the pool is SERVIRT_LIBVIRT_POOL_DIR (default
# $SERVIRT_CACHE/libvirt-pool, SERVIRT_CACHE as in hack/lib.sh).
set -euo pipefail
# shellcheck source=hack/lib.sh
. "$(dirname "$0")/../lib.sh"

URI=qemu:///system
RUN_DIR=${SERVIRT_LIBVIRT_RUN_DIR:-/run/servirt-libvirt}
POOL_NAME=servirt
POOL_DIR=${SERVIRT_LIBVIRT_POOL_DIR:-$SERVIRT_CACHE/libvirt-pool}
QEMU_USER=libvirt-qemu # Debian's build of libvirt runs QEMU as libvirt-qemu:libvirt-qemu

[ "$(id -u)" -eq 0 ] || die "must run as root (libvirtd for qemu:///system)"

# --- packages -------------------------------------------------------------------------------
missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_cmd libvirtd libvirt-daemon
need_cmd virtlogd libvirt-daemon
need_cmd virsh libvirt-clients
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd qemu-img qemu-utils
need_cmd setfacl acl
compgen -G '/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so' >/dev/null ||
  compgen -G '/usr/lib*/libvirt/connection-driver/libvirt_driver_qemu.so' >/dev/null ||
  missing+=(libvirt-daemon-driver-qemu)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  die "missing Debian packages: ${missing[*]} (they are in hack/test-packages.txt: run hack/install-deps.sh)"
fi

# --- users, groups, /dev/kvm ---------------------------------------------------------------
# What libvirt-daemon-system's maintainer scripts would do (that package also pulls in
# systemd units, polkit and the NAT "default" network, which we do not want).
getent group kvm >/dev/null || { groupadd --system kvm && log "created group kvm"; }
getent group "$QEMU_USER" >/dev/null || { groupadd --system "$QEMU_USER" && log "created group $QEMU_USER"; }
if ! getent passwd "$QEMU_USER" >/dev/null; then
  useradd --system --gid kvm --groups "$QEMU_USER" --home-dir /var/lib/libvirt --no-create-home \
    --shell /usr/sbin/nologin --comment 'Libvirt Qemu' "$QEMU_USER"
  log "created user $QEMU_USER"
fi
# Without udev nobody gives /dev/kvm to the kvm group. libvirt probes QEMU with KVM (which the
# probe can use) but then finds that $QEMU_USER cannot open /dev/kvm, declares its cached QEMU
# capabilities stale and probes again on every call: `virsh start` then takes 5-45 s instead of
# 0.4 s. The udev rule's mode makes the cache stick. (Guests here still use TCG, never KVM.)
if [ -c /dev/kvm ] && [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
  chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  log "/dev/kvm: root:kvm 0660 (as Debian's udev rule sets it)"
fi

# --- daemons ----------------------------------------------------------------------------------
mkdir -p "$RUN_DIR"
ours_running() { # NAME: true when the daemon of our pid file runs
  local pid
  pid=$(cat "$RUN_DIR/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}
start_daemon() { # NAME [CONFIG LINE]...
  local name=$1
  shift
  {
    echo '# Written by hack/libvirt/up.sh'
    echo "log_outputs = \"3:file:$RUN_DIR/$name.log\""
    printf '%s\n' "$@"
  } >"$RUN_DIR/$name.conf"
  # --daemon forks and points stdio at /dev/null; the redirect keeps a caller's pipes free
  # and catches what it says before that.
  "$name" --daemon --pid-file "$RUN_DIR/$name.pid" --config "$RUN_DIR/$name.conf" \
    </dev/null >>"$RUN_DIR/$name.out" 2>&1 ||
    die "$name failed to start: $(tail -n 5 "$RUN_DIR/$name.out" "$RUN_DIR/$name.log" 2>/dev/null)"
  log "started $name (pid file $RUN_DIR/$name.pid, log $RUN_DIR/$name.log)"
}

# virtlogd first: libvirtd hands every QEMU's stdout/stderr and serial logs to it.
if ours_running virtlogd; then
  log "virtlogd runs (pid $(cat "$RUN_DIR/virtlogd.pid"))"
elif [ -S /run/libvirt/virtlogd-sock ] && pgrep -x virtlogd >/dev/null; then
  log "virtlogd runs, not started by this script; using it"
else
  # Every guest's serial console log (<domain>.console.log in the pool): rolled over at 2 MiB,
  # 3 old files kept (.0 newest … .2), as a packaged virtlogd does by default.
  start_daemon virtlogd 'max_size = 2097152' 'max_backups = 3'
fi

virsh_ok() { virsh --quiet --connect "$URI" version >/dev/null 2>&1; }
if ours_running libvirtd; then
  log "libvirtd runs (pid $(cat "$RUN_DIR/libvirtd.pid"))"
elif virsh_ok; then
  log "libvirtd answers on $URI, not started by this script; using it"
else
  start_daemon libvirtd
fi
for _ in $(seq 120); do
  virsh_ok && break
  ours_running libvirtd || pgrep -x libvirtd >/dev/null ||
    die "libvirtd exited: $(tail -n 8 "$RUN_DIR/libvirtd.out" "$RUN_DIR/libvirtd.log" 2>/dev/null)"
  sleep 0.5
done
virsh_ok || die "libvirtd does not answer on $URI after 60 s (log: $RUN_DIR/libvirtd.log)"

# The first QEMU probe on a machine takes up to a minute; do it here rather than in a test.
virsh --quiet --connect "$URI" domcapabilities --virttype qemu --arch x86_64 >/dev/null ||
  die "libvirt cannot probe qemu-system-x86_64 (log: $RUN_DIR/libvirtd.log)"

# --- storage pool ---------------------------------------------------------------------------
mkdir -p "$POOL_DIR"
# QEMU runs as $QEMU_USER and opens disks by path: it must be able to pass through every
# directory above the pool ($HOME is often 0700). Grant only that (search, not read).
# Top down, so that a grant on /root makes the 0755 directories below it pass.
IFS=/ read -ra parts <<<"$(realpath "$POOL_DIR")"
dir=
for part in "${parts[@]}"; do
  [ -n "$part" ] || continue
  dir=$dir/$part
  if ! runuser -u "$QEMU_USER" -- test -x "$dir"; then
    setfacl -m "u:$QEMU_USER:--x" "$dir"
    log "granted $QEMU_USER search permission on $dir (ACL)"
  fi
done

if ! virsh --quiet --connect "$URI" pool-info "$POOL_NAME" >/dev/null 2>&1; then
  virsh --quiet --connect "$URI" pool-define-as "$POOL_NAME" dir --target "$POOL_DIR" >/dev/null
  log "defined storage pool $POOL_NAME at $POOL_DIR"
fi
target=$(virsh --quiet --connect "$URI" pool-dumpxml "$POOL_NAME" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -n 1)
[ "$target" = "$POOL_DIR" ] ||
  die "storage pool $POOL_NAME points at $target, not $POOL_DIR; remove it first: virsh -c $URI pool-destroy $POOL_NAME; virsh -c $URI pool-undefine $POOL_NAME"
state=$(virsh --quiet --connect "$URI" pool-info "$POOL_NAME" | sed -n 's/^State:[[:space:]]*//p')
if [ "$state" != running ]; then
  virsh --quiet --connect "$URI" pool-start "$POOL_NAME" >/dev/null
  log "started storage pool $POOL_NAME"
fi

log "libvirt is up: virsh -c $URI ($(virsh --quiet --connect "$URI" version | sed -n 's/^Running hypervisor: *//p'); pool $POOL_NAME at $POOL_DIR)"
