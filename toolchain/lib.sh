# Shared by install.sh and env.sh: where each binary is cached and how it is built.
# shellcheck shell=bash
toolchain_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=toolchain/pins.sh
source "$toolchain_here/pins.sh"

TOOLCHAIN_DIR=${KUBE_BASELINE_TOOLCHAIN_DIR:-$HOME/.cache/kube-baseline/toolchain}
GO_MINIMUM=1.26.0
COMPONENTS="pulumi pulumi-language-nodejs pulumi-resource-kubernetes kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok"

# Version stamping for Kubernetes binaries (what `kube-apiserver --version` and `kubectl version` report).
k8s_version_ldflags() {
    local major minor p
    major=$(echo "$KUBERNETES_VERSION" | sed -E 's/^v([0-9]+)\..*/\1/')
    minor=$(echo "$KUBERNETES_VERSION" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        printf -- '-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
            "$p" "$KUBERNETES_VERSION" "$p" "$major" "$p" "$minor" "$p"
    done
}

# component_field NAME module|package|ldflags
component_field() {
    local name=$1 field=$2
    case "$name:$field" in
        pulumi:module) echo pulumi ;;
        pulumi:package) echo github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ;;
        pulumi:ldflags) echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" ;;
        pulumi-language-nodejs:module) echo pulumi-language-nodejs ;;
        pulumi-language-nodejs:package) echo github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ;;
        pulumi-language-nodejs:ldflags) echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_LANGUAGE_NODEJS_VERSION" ;;
        pulumi-resource-kubernetes:module) echo pulumi-resource-kubernetes ;;
        pulumi-resource-kubernetes:package) echo github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes ;;
        pulumi-resource-kubernetes:ldflags) echo "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" ;;
        kube-apiserver:module | kube-controller-manager:module | kube-scheduler:module | kubectl:module) echo kubernetes ;;
        kube-apiserver:package | kube-controller-manager:package | kube-scheduler:package | kubectl:package) echo "k8s.io/kubernetes/cmd/$name" ;;
        kube-apiserver:ldflags | kube-controller-manager:ldflags | kube-scheduler:ldflags | kubectl:ldflags) echo "-s -w $(k8s_version_ldflags)" ;;
        etcd:module) echo etcd ;;
        etcd:package) echo . ;;
        etcd:ldflags) echo "-s -w" ;;
        kwok:module) echo kwok ;;
        kwok:package) echo sigs.k8s.io/kwok/cmd/kwok ;;
        kwok:ldflags) echo "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" ;;
        *) echo "toolchain: unknown component field $name:$field" >&2; return 1 ;;
    esac
}

component_version() {
    case "$1" in
        pulumi) echo "$PULUMI_VERSION" ;;
        pulumi-language-nodejs) echo "$PULUMI_LANGUAGE_NODEJS_VERSION" ;;
        pulumi-resource-kubernetes) echo "$PULUMI_KUBERNETES_VERSION" ;;
        kube-apiserver | kube-controller-manager | kube-scheduler | kubectl) echo "$KUBERNETES_VERSION" ;;
        etcd) echo "$ETCD_VERSION" ;;
        kwok) echo "$KWOK_VERSION" ;;
    esac
}

# Where a binary is cached: one directory per component and version, so changing one pin rebuilds only it.
# The language host (and the dynamic-provider launcher) sit in their own directory, also on PATH.
binary_path() {
    local name=$1
    echo "$TOOLCHAIN_DIR/$name/$(component_version "$name" | tr '+' '_')/$name"
}

# True when a binary of that name is on PATH and reports exactly the pinned version.
on_path_at_version() {
    local name=$1 found out want
    found=$(command -v "$name" 2>/dev/null) || return 1
    want=$(component_version "$name")
    case "$name" in
        pulumi) out=$("$found" version 2>/dev/null) ;;
        kube-apiserver | kube-controller-manager | kube-scheduler) out=$("$found" --version 2>/dev/null) ;;
        kubectl) out=$("$found" version --client 2>/dev/null | head -n1) ;;
        etcd | kwok) out=$("$found" --version 2>/dev/null | head -n1) ;;
        *) return 1 ;; # plugins have no version flag: always use our own build
    esac
    echo "$out" | grep -Eq "(^|[^0-9A-Za-z.])${want//./\\.}([^0-9A-Za-z.+-]|$)"
}

toolchain_path_dirs() {
    local name dirs=""
    for name in $COMPONENTS; do
        dirs="$dirs:$(dirname "$(binary_path "$name")")"
    done
    echo "${dirs#:}"
}
