#!/usr/bin/env bash
# Stops what hack/libvirt/up.sh started: destroys (powers off) the running domains, stops the
# servirt storage pool (its definition and files stay), then libvirtd and virtlogd. Daemons
# not started by up.sh (no pid file of ours) are left alone. Idempotent; run as root.
set -euo pipefail
# shellcheck source=hack/lib.sh
. "$(dirname "$0")/../lib.sh"

URI=qemu:///system
RUN_DIR=${SERVIRT_LIBVIRT_RUN_DIR:-/run/servirt-libvirt}
POOL_NAME=servirt

[ "$(id -u)" -eq 0 ] || die "must run as root (it stops root's libvirtd)"

ours() { # NAME -> pid of our daemon, if it runs
  local pid
  pid=$(cat "$RUN_DIR/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}
stop() { # NAME PID: SIGTERM, wait up to 30 s, then SIGKILL
  local name=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do
    [ -d "/proc/$pid" ] || { log "stopped $name (pid $pid)"; rm -f "$RUN_DIR/$name.pid"; return 0; }
    sleep 0.1
  done
  log "warning: $name (pid $pid) ignored SIGTERM for 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
}

if libvirtd_pid=$(ours libvirtd); then
  # A stopped libvirtd would leave its QEMU processes running; power them off first.
  mapfile -t running < <(virsh --quiet --connect "$URI" list --name 2>/dev/null | sed '/^$/d')
  for domain in "${running[@]}"; do
    if virsh --quiet --connect "$URI" destroy "$domain" >/dev/null 2>&1; then
      log "destroyed domain $domain"
    else
      log "warning: could not destroy domain $domain"
    fi
  done
  state=$(virsh --quiet --connect "$URI" pool-info "$POOL_NAME" 2>/dev/null | sed -n 's/^State:[[:space:]]*//p')
  if [ "$state" = running ]; then
    virsh --quiet --connect "$URI" pool-destroy "$POOL_NAME" >/dev/null && log "stopped storage pool $POOL_NAME"
  fi
  stop libvirtd "$libvirtd_pid"
else
  log "libvirtd: none started by up.sh runs"
fi

if virtlogd_pid=$(ours virtlogd); then
  stop virtlogd "$virtlogd_pid"
else
  log "virtlogd: none started by up.sh runs"
fi
