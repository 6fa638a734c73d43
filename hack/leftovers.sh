#!/usr/bin/env bash
# Lists the processes of the kinds the tests and `npm run local` start (libvirtd, virtlogd, QEMU,
# named, apache2, sshd, kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, containerd and its
# shims, dnsperf, wrk, the operator) and a local node's namespaces, links, mounts and cgroups
# (hack/node/netns.sh) and a LAN's namespace and mounts (hack/lan/hosts.sh); exits 1 when there is one. Run it after `npm test` to see that nothing stayed.
set -euo pipefail

pattern='^(libvirtd|virtlogd|qemu-system-x86|named|apache2|sshd|kube-apiserver|etcd|kube-controller|kube-scheduler|kubelet|kube-proxy|containerd|containerd-shim.*|dnsperf|wrk)$'
found=$(ps -eo pid=,comm= | awk -v re="$pattern" '$2 ~ re')
node_parts=$({
  ip netns list 2>/dev/null | grep -o '^servirt-\(node\|lan\)-[a-z0-9]*' || true
  # A pod's network namespace left in the host's /run/netns (a node's containerd keeps its own).
  ls -d /run/netns/cni-* 2>/dev/null || true
  ip -o link 2>/dev/null | grep -o 'svn-[a-z0-9]*-h' || true
  grep -o ' /run/servirt-\(node\|lan\)-[^ ]*' /proc/mounts || true
  ls -d /sys/fs/cgroup/*/servirt-node-* 2>/dev/null || true
})
found=$(printf '%s\n%s' "$found" "$node_parts" | sed '/^$/d')
operators=$(pgrep -af 'operator/src/main\.ts|dist/operator/src/main\.js|localJobRunner' || true)
if [ -z "$found$operators" ]; then
  echo "leftovers: none"
  exit 0
fi
echo "leftovers:"
[ -z "$found" ] || echo "$found"
[ -z "$operators" ] || echo "$operators"
exit 1
