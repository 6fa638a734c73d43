#!/usr/bin/env bash
# The isolated place a local Kubernetes node (hack/cluster/node.ts) runs in, and its removal:
#   - a network namespace servirt-node-NAME, joined to the root namespace by a veth pair on a
#     /30 of 198.51.100.0/24 (TEST-NET-2) that no route of this machine uses yet: the root side
#     is the node's way to the API server, the node side the node's address;
#   - a private mount namespace (bind-mounted at RUN_DIR/mntns) for containerd and the kubelet,
#     so their mounts (overlays, volumes) never appear in the host's and vanish with it, with
#     the kernel settings the kubelet writes bind-mounted over from files in RUN_DIR: the
#     host's own /proc/sys stays as it is;
#   - a cgroup servirt-node-NAME in every cgroup v1 hierarchy (the kubelet's cgroupRoot).
#
#   hack/node/netns.sh up NAME     make it; print {"netns", "mntns", "runDir", "cgroupRoot",
#                                  "hostAddress", "nodeAddress", "hostLink"} (last line)
#   hack/node/netns.sh down NAME   kill what still runs in it, remove all of it; idempotent
# Enter it with nsenter --net=/run/netns/servirt-node-NAME --mount=RUN_DIR/mntns (not
# `ip netns exec`, which remounts /sys). Needs root, iproute2 and util-linux.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

action=${1:-}
name=${2:-}
[[ "$name" =~ ^[a-z0-9]{1,8}$ ]] || die "usage: $0 up|down NAME (NAME: 1-8 of a-z0-9)"
netns=servirt-node-$name
run_dir=/run/servirt-node-$name
host_link=svn-$name-h
node_link=svn-$name-n
cgroup=servirt-node-$name
# What the kubelet writes when protectKernelDefaults is false; the files hold its wanted values.
sysctls=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
  kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000)

cgroup_dirs() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [ -L "${hierarchy%/}" ] || echo "${hierarchy}$cgroup"
  done
}

down() {
  local dir pid
  # Every process of the node: the cgroup's (containers, shims) and any still in the namespace.
  for dir in $(cgroup_dirs); do
    [ -d "$dir" ] || continue
    find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  if [ -e "/run/netns/$netns" ]; then
    for pid in $(ip netns pids "$netns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  sleep 0.5
  for dir in $(cgroup_dirs); do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [ -d "$run_dir" ]; then
    awk -v d="$run_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r mnt; do umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true; done
    rm -rf --one-file-system "$run_dir"
  fi
  ip link del "$host_link" 2>/dev/null || true
  [ ! -e "/run/netns/$netns" ] || ip netns del "$netns"
}

ip_to_int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
# The first /30 of 198.51.100.0/24 that overlaps no route and no address of this machine (the
# default route aside): this machine's own uplink may well sit in a documentation range.
free_subnet() {
  local prefixes prefix network bits start size i candidate
  prefixes=$({
    ip -4 route show table all | awk '$1 != "default" && $1 != "broadcast" && $1 != "local" { print $1 } $1 == "local" || $1 == "broadcast" { print $2 }'
    ip -4 -o addr show | awk '{ print $4 }'
  } | sort -u)
  for ((i = 0; i < 256; i += 4)); do
    candidate=$(($(ip_to_int 198.51.100.0) + i))
    for prefix in $prefixes; do
      network=${prefix%/*} bits=${prefix#*/}
      [ "$bits" = "$prefix" ] && bits=32
      start=$(ip_to_int "$network")
      size=$((1 << (32 - bits)))
      start=$((start & ~(size - 1)))
      if ((start < candidate + 4 && candidate < start + size)); then continue 2; fi
    done
    echo "$i"
    return 0
  done
  return 1
}

up() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, veth, cgroups)"
  [ ! -e "/run/netns/$netns" ] || die "$netns exists: run '$0 down $name' first"
  trap 'down' ERR
  local base
  base=$(free_subnet) || die "every /30 of 198.51.100.0/24 overlaps a route of this machine"
  local host_address=198.51.100.$((base + 1)) node_address=198.51.100.$((base + 2))
  ip netns add "$netns"
  ip link add "$host_link" type veth peer name "$node_link"
  ip link set "$node_link" netns "$netns"
  ip addr add "$host_address/30" dev "$host_link"
  ip link set "$host_link" up
  nsenter --net="/run/netns/$netns" sh -c "ip link set lo up && ip addr add $node_address/30 dev $node_link &&
    ip link set $node_link up && ip route add default via $host_address"

  mkdir -p "$run_dir"
  mount --bind "$run_dir" "$run_dir"
  mount --make-private "$run_dir"
  touch "$run_dir/mntns"
  unshare --mount="$run_dir/mntns" --propagation private true
  mkdir -p "$run_dir/sysctl"
  local setting file value
  for setting in "${sysctls[@]}"; do
    file=${setting%%=*} value=${setting#*=}
    echo "$value" >"$run_dir/sysctl/${file//\//_}"
    nsenter --mount="$run_dir/mntns" mount --bind "$run_dir/sysctl/${file//\//_}" "/proc/sys/$file"
  done

  local dir
  for dir in $(cgroup_dirs); do
    mkdir -p "$dir"
    case "$dir" in
      /sys/fs/cgroup/cpuset/*)
        cat /sys/fs/cgroup/cpuset/cpuset.cpus >"$dir/cpuset.cpus"
        cat /sys/fs/cgroup/cpuset/cpuset.mems >"$dir/cpuset.mems"
        ;;
    esac
  done
  trap - ERR
  printf '{"netns":"/run/netns/%s","mntns":"%s/mntns","runDir":"%s","cgroupRoot":"/%s","hostAddress":"%s","nodeAddress":"%s","hostLink":"%s"}\n' \
    "$netns" "$run_dir" "$run_dir" "$cgroup" "$host_address" "$node_address" "$host_link"
}

case "$action" in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down NAME" ;;
esac
