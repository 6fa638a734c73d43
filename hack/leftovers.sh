#!/usr/bin/env bash
# Lists the processes of the kinds the tests and `npm run local` start (libvirtd, virtlogd, QEMU,
# named, apache2, sshd, kube-apiserver, etcd, kube-controller-manager, dnsperf, wrk, the
# operator); exits 1 when there is one. Run it after `npm test` to see that nothing stayed.
set -euo pipefail

pattern='^(libvirtd|virtlogd|qemu-system-x86|named|apache2|sshd|kube-apiserver|etcd|kube-controller|dnsperf|wrk)$'
found=$(ps -eo pid=,comm= | awk -v re="$pattern" '$2 ~ re')
operators=$(pgrep -af 'operator/src/main\.ts|dist/operator/src/main\.js|localJobRunner' || true)
if [ -z "$found$operators" ]; then
  echo "leftovers: none"
  exit 0
fi
echo "leftovers:"
[ -z "$found" ] || echo "$found"
[ -z "$operators" ] || echo "$operators"
exit 1
