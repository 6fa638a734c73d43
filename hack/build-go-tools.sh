#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl, etcd and helm from the Go module proxy at the
# versions pinned in versions.env, into $SERVIRT_CACHE/bin-<versions>. Prints
# that folder. A second run with the same versions costs nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || die "go is required (https://go.dev/dl); it builds the control plane"
key="k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-helm-$HELM_VERSION"
out="$SERVIRT_CACHE/bin-$key"
tools=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd helm)

have_all() { for t in "${tools[@]}"; do [ -x "$out/$t" ] || return 1; done; }
if have_all; then echo "$out"; exit 0; fi

work="$SERVIRT_CACHE/gobuild-$key"
mkdir -p "$out" "$work"
export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
ldflags="-s -w"

build_kubernetes() {
  local dir="$work/kubernetes" staging_version="v0${KUBERNETES_VERSION#v1}"
  mkdir -p "$dir" && cd "$dir"
  [ -f go.mod ] || go mod init servirt.local/k8s-build >/dev/null 2>&1
  # k8s.io/kubernetes points its staging modules at ./staging; pin them to the published versions instead.
  local mod
  mod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$mod" | awk '{print $1}' | while read -r m; do
    go mod edit -replace "$m=$m@$staging_version"
  done
  local commands=(kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy) c packages=()
  for c in "${commands[@]}"; do packages+=("k8s.io/kubernetes/cmd/$c@$KUBERNETES_VERSION"); done
  go get "${packages[@]}" 2>/dev/null
  local v="$KUBERNETES_VERSION" pkg=k8s.io/component-base/version
  local kflags="$ldflags -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$v" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  kflags="$kflags -X k8s.io/client-go/pkg/version.gitVersion=$v"
  local n=0
  for c in "${commands[@]}"; do
    n=$((n + 1))
    [ -x "$out/$c" ] && continue
    log "building $c $KUBERNETES_VERSION ($n of ${#commands[@]} Kubernetes commands)"
    go build -trimpath -ldflags "$kflags" -o "$out/$c" "k8s.io/kubernetes/cmd/$c"
  done
}

build_module_tool() { # name module-path version package
  local name=$1 module=$2 version=$3 package=$4 dir="$work/$1"
  [ -x "$out/$name" ] && return 0
  mkdir -p "$dir" && cd "$dir"
  [ -f go.mod ] || go mod init "servirt.local/$name-build" >/dev/null 2>&1
  go get "$module@$version" 2>/dev/null
  go build -trimpath -ldflags "$ldflags ${5:-}" -o "$out/$name" "$package"
}

log "building into $out (first run only: about 10-20 minutes on 2 cores)"
build_module_tool etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3
build_module_tool helm helm.sh/helm/v3 "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
build_kubernetes
have_all || die "not every tool was built into $out"
echo "$out"
