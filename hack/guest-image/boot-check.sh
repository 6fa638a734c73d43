#!/usr/bin/env bash
# Boots the guest image once under QEMU (TCG) and checks that it works the way servirt uses it:
# a NoCloud seed ISO (label cidata) with a generated client key and a generated, injected ssh
# host key, so that ssh connects with StrictHostKeyChecking=yes from the first try; then
# `cloud-init status --wait`, `systemctl is-active named`, and a DNS query through the forward.
#
#   hack/guest-image/boot-check.sh [IMAGE_DIR]   default: the folder hack/guest-image/build.sh prints
#
# Prints one JSON line (seconds from QEMU's start to SSH, to DNS, to cloud-init done) as the
# last line of stdout; progress on stderr. QEMU uses user-mode networking with forwards from
# 127.0.0.1 only, no IPv6, and the guest gets an address without a route or a DNS server, so it
# reaches nothing beyond the forwards. Nothing stays running on exit.
# BOOT_CHECK_TIMEOUT (seconds, default 600) bounds the whole check.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

case "${1:-}" in
  -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
if [ $# -ge 1 ]; then
  image=$1
else
  image=$(bash "$HACK_DIR/guest-image/build.sh" | tail -n1)
fi
image=$(cd "$image" && pwd)
for f in vmlinuz initrd.img disk.qcow2 manifest.json; do
  [ -f "$image/$f" ] || die "$image/$f is missing (build it with hack/guest-image/build.sh)"
done
for tool in qemu-system-x86_64 qemu-img xorriso ssh ssh-keygen ss jq dig setpriv; do
  command -v "$tool" >/dev/null || die "$tool not found: run hack/install-deps.sh"
done
timeout_s=${BOOT_CHECK_TIMEOUT:-600}

work=$(mktemp -d "${TMPDIR:-/tmp}/servirt-boot-check.XXXXXX")
qemu_pid=
cleanup() {
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- keys and the seed ---------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C servirt-boot-check -f "$work/client"
ssh-keygen -q -t ed25519 -N '' -C servirt-boot-check-host -f "$work/host"
instance=boot-check-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
indent() { sed 's/^/      /' "$1"; }
cat >"$work/user-data" <<EOF
#cloud-config
users:
  - name: servirt
    lock_passwd: true
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    ssh_authorized_keys:
      - $(cat "$work/client.pub")
ssh_pwauth: false
ssh_deletekeys: true
# With ssh_keys, cloud-init writes these and generates no host key of its own.
ssh_keys:
  ed25519_private: |
$(indent "$work/host")
  ed25519_public: $(cat "$work/host.pub")
EOF
printf 'instance-id: %s\nlocal-hostname: boot-check\n' "$instance" >"$work/meta-data"
# DHCP from slirp, but without its route and DNS server: the guest answers the forwards from the
# host (slirp's 10.0.2.2 is on-link) and can reach nothing else. (restrict=on would do that too,
# but libslirp then drops every UDP packet from the guest, the answers through the UDP forward
# included. A static address would also do, but then systemd-networkd waits ~12 s for IPv6
# router advertisements that never come before the network is "online".)
mac=52:54:00:5e:7a:01
cat >"$work/network-config" <<EOF
version: 2
ethernets:
  # cloud-init 22.4 applies dhcp4-overrides only when the key is the interface's name.
  eth0:
    match:
      macaddress: "$mac"
    set-name: eth0
    dhcp4: true
    dhcp4-overrides:
      use-routes: false
      use-dns: false
      use-ntp: false
      use-domains: false
    dhcp6: false
EOF
xorriso -as mkisofs -quiet -V cidata -J -r -o "$work/seed.iso" \
  "$work/user-data" "$work/meta-data" "$work/network-config" 2>"$work/xorriso.log" ||
  { cat "$work/xorriso.log" >&2; die "xorriso failed"; }
qemu-img create -q -f qcow2 -F qcow2 -b "$image/disk.qcow2" "$work/overlay.qcow2"

# --- free loopback ports: one for ssh, one for DNS over both UDP and TCP ---------------------
port_free() { [ -z "$(ss -Htuln "sport = :$1")" ]; }
pick_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p" && [ "$p" != "${1:-}" ]; then echo "$p"; return 0; fi
  done
  die "no free port found"
}
ssh_port=$(pick_port)
dns_port=$(pick_port "$ssh_port")
echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$work/host.pub")" >"$work/known_hosts"

# --- boot ------------------------------------------------------------------------------------
cmdline="root=LABEL=servirt-root ro console=ttyS0"
log "booting $image (TCG) with ssh on 127.0.0.1:$ssh_port, DNS on 127.0.0.1:$dns_port"
started=$(date +%s.%N)
# --pdeathsig: QEMU dies with this script even when the script is killed with SIGKILL.
setpriv --pdeathsig KILL -- qemu-system-x86_64 -machine accel=tcg -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$image/vmlinuz" -initrd "$image/initrd.img" -append "$cmdline" \
  -drive "file=$work/overlay.qcow2,format=qcow2,if=virtio" \
  -drive "file=$work/seed.iso,format=raw,if=virtio,readonly=on" \
  -netdev "user,id=n0,ipv6=off,hostfwd=tcp:127.0.0.1:$ssh_port-:22,hostfwd=tcp:127.0.0.1:$dns_port-:53,hostfwd=udp:127.0.0.1:$dns_port-:53" \
  -device "virtio-net-pci,netdev=n0,mac=$mac" \
  </dev/null >"$work/console.log" 2>&1 &
qemu_pid=$!

elapsed() { echo "$(date +%s.%N) $started" | awk '{ printf "%.1f", $1 - $2 }'; }
fail() {
  log "console (last lines):"
  tail -n 30 "$work/console.log" | sed 's/\r$//' >&2
  die "$*"
}
guest() {
  ssh -q -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
    -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o IdentityFile="$work/client" \
    -o ConnectTimeout=5 -o ServerAliveInterval=5 -o ServerAliveCountMax=6 \
    -p "$ssh_port" servirt@127.0.0.1 "$@"
}
dns_answer() {
  # localhost. is in Debian's default named.conf; the answer is 127.0.0.1.
  dig +short +time=1 +tries=1 -p "$dns_port" @127.0.0.1 localhost. A 2>/dev/null | grep -qx 127.0.0.1
}

ssh_s='' dns_s=''
while [ -z "$ssh_s" ] || [ -z "$dns_s" ]; do
  kill -0 "$qemu_pid" 2>/dev/null || fail "QEMU exited"
  [ "$(elapsed | cut -d. -f1)" -lt "$timeout_s" ] || fail "timed out after ${timeout_s}s (ssh: ${ssh_s:-no}, dns: ${dns_s:-no})"
  if [ -z "$dns_s" ] && dns_answer; then dns_s=$(elapsed); log "DNS answers after ${dns_s}s"; fi
  if [ -z "$ssh_s" ] && guest true 2>/dev/null; then ssh_s=$(elapsed); log "ssh after ${ssh_s}s"; fi
  sleep 1
done

status=$(guest timeout "$timeout_s" cloud-init status --wait 2>&1 | tail -n1) || true
ci_s=$(elapsed)
log "cloud-init: $status after ${ci_s}s"
[ "$status" = "status: done" ] || fail "cloud-init did not finish cleanly: $status"
named=$(guest systemctl is-active named 2>&1) || fail "named is not active: $named"
apache=$(guest systemctl is-active apache2 2>&1) || fail "apache2 is not active: $apache"
kernel=$(guest uname -r)
schema=$(guest sudo cloud-init schema --system 2>&1) || fail "cloud-init config is invalid: $schema"
routes=$(guest ip route show default)
[ -z "$routes" ] || fail "the guest has a default route, it should not: $routes"
dig +tcp +short +time=2 +tries=1 -p "$dns_port" @127.0.0.1 localhost. A 2>/dev/null | grep -qx 127.0.0.1 ||
  fail "no DNS answer over TCP through 127.0.0.1:$dns_port"
# No password logins: root locked, sshd takes keys only.
[ "$(guest sudo passwd -S root | cut -d' ' -f2)" = L ] || fail "root's password is not locked"
sshd_auth=$(guest sudo sshd -T | grep -E '^(passwordauthentication|kbdinteractiveauthentication) ')
[ "$(grep -c ' no$' <<<"$sshd_auth")" = 2 ] || fail "sshd allows passwords: $sshd_auth"
# Where the guest's boot time went (stderr only).
guest 'systemd-analyze; systemd-analyze blame | head -n 8' 2>/dev/null | sed 's/^/  guest: /' >&2 || true

jq -cn --argjson ssh "$ssh_s" --argjson dns "$dns_s" --argjson ci "$ci_s" \
  --arg named "$named" --arg apache "$apache" --arg kernel "$kernel" --arg image "${image##*/}" \
  '{image: $image, accel: "tcg", sshSeconds: $ssh, dnsSeconds: $dns, cloudInitDoneSeconds: $ci,
    named: $named, apache2: $apache, kernel: $kernel}'
