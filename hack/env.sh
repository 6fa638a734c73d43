# Source this file (". hack/env.sh") to use the pinned Node.js, kubectl, helm and
# the local control plane that `npm run cluster:up` started.
_servirt_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$_servirt_repo/hack/versions.env"
_servirt_cache=${SERVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/servirt}
export PATH="$_servirt_repo/node_modules/.bin:$_servirt_cache/bin-k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-helm-$HELM_VERSION:$PATH"
export KUBECONFIG="$_servirt_repo/.local/cluster/kubeconfig"
unset _servirt_repo _servirt_cache
