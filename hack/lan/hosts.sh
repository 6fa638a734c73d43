#!/usr/bin/env bash
# A small LAN of libvirt hosts that nothing outside can see, for the bridged-guest tests:
#   - a network namespace servirt-lan-NAME with no link to the root namespace: a bridge lan0
#     on 203.0.113.0/24 (TEST-NET-3) carries host A's address .1 and host B's .2; guests
#     bridged to lan0 are on this LAN, and so is whatever the caller runs in the namespace
#     (a control plane, the operator);
#   - two libvirt hosts, a and b: each a libvirtd and virtlogd of hack/libvirt/up.sh in a mount
#     namespace of its own (bind-mounted at RUN_DIR/<host>/mntns), where /etc/libvirt (a copy),
#     /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt are folders of
#     RUN_DIR/<host>: its domains, networks, pools and dnsmasq are its own and never the
#     machine's. A client in the namespace reaches a host's daemon at
#     qemu:///system?socket=RUN_DIR/<host>/run/libvirt-sock; B is meant to be reached over
#     qemu+ssh (an sshd the caller starts in B's namespaces, on B's address).
#
#   hack/lan/hosts.sh up NAME     make it; print {"netns", "runDir", "bridge", "hosts": {"a":
#                                 {"mntns", "address", "socket", "pool"}, "b": {…}}} (last line)
#   hack/lan/hosts.sh down NAME   kill everything in it, remove all of it; idempotent
# Enter it with nsenter --net=/run/netns/servirt-lan-NAME [--mount=RUN_DIR/<host>/mntns] (not
# `ip netns exec`, which remounts /sys). Needs root and the packages of hack/libvirt/up.sh.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

action=${1:-}
name=${2:-}
[[ "$name" =~ ^[a-z0-9]{1,8}$ ]] || die "usage: $0 up|down NAME (NAME: 1-8 of a-z0-9)"
netns=servirt-lan-$name
run_dir=/run/servirt-lan-$name
bridge=lan0
declare -A address=([a]=203.0.113.1 [b]=203.0.113.2)
# What a host keeps of its own; the machine's copies are never written.
private_dirs=(/etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt)

in_host() { # HOST COMMAND...: run in the LAN's network and HOST's mount namespace
  local host=$1
  shift
  nsenter --net="/run/netns/$netns" --mount="$run_dir/$host/mntns" "$@"
}

down() {
  local pid mnt alive pids=()
  if [ -e "/run/netns/$netns" ]; then
    # libvirtd, virtlogd, QEMU, dnsmasq, sshd and whatever the caller started in the LAN.
    mapfile -t pids < <(ip netns pids "$netns" 2>/dev/null)
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    # Until they are gone, reaped by whoever is their parent (the daemons' is init).
    for _ in $(seq 50); do
      alive=0
      for pid in "${pids[@]}"; do [ ! -e "/proc/$pid" ] || alive=1; done
      [ "$alive" = 1 ] || break
      sleep 0.1
    done
  fi
  if [ -d "$run_dir" ]; then
    awk -v d="$run_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r mnt; do umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; done
    rm -rf --one-file-system "$run_dir"
  fi
  [ ! -e "/run/netns/$netns" ] || ip netns del "$netns"
}

host_up() { # HOST
  local host=$1 dir=$run_dir/$1 private
  mkdir -p "$dir/pool" "$dir/daemons"
  touch "$dir/mntns"
  unshare --mount="$dir/mntns" --propagation private true
  for private in "${private_dirs[@]}"; do
    mkdir -p "$dir/fs$private"
    # The machine's configuration, none of its state: no domain, network or pool definitions.
    if [ "$private" = /etc/libvirt ]; then
      cp -a /etc/libvirt/. "$dir/fs$private/"
      rm -rf "$dir/fs$private/qemu" "$dir/fs$private/storage" "$dir/fs$private/secrets"
    fi
    mkdir -p "$private"
    nsenter --mount="$dir/mntns" mount --bind "$dir/fs$private" "$private"
  done
  ln -s "fs/run/libvirt" "$dir/run"
  in_host "$host" env SERVIRT_LIBVIRT_RUN_DIR="$dir/daemons" SERVIRT_LIBVIRT_POOL_DIR="$dir/pool" \
    bash "$HACK_DIR/libvirt/up.sh" >&2
}

up() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, bridges, libvirtd)"
  [ ! -e "/run/netns/$netns" ] || die "$netns exists: run '$0 down $name' first"
  trap 'down' ERR
  ip netns add "$netns"
  nsenter --net="/run/netns/$netns" sh -c "ip link set lo up && ip link add $bridge type bridge &&
    ip addr add ${address[a]}/24 dev $bridge && ip addr add ${address[b]}/24 dev $bridge &&
    ip link set $bridge up"
  mkdir -p "$run_dir"
  mount --bind "$run_dir" "$run_dir"
  mount --make-private "$run_dir"
  host_up a
  host_up b
  trap - ERR
  local host json=
  for host in a b; do
    json+=$(printf '"%s":{"mntns":"%s/%s/mntns","address":"%s","socket":"%s/%s/run/libvirt-sock","pool":"%s/%s/pool"}' \
      "$host" "$run_dir" "$host" "${address[$host]}" "$run_dir" "$host" "$run_dir" "$host"),
  done
  printf '{"netns":"/run/netns/%s","runDir":"%s","bridge":"%s","hosts":{%s}}\n' \
    "$netns" "$run_dir" "$bridge" "${json%,}"
}

case "$action" in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down NAME" ;;
esac
