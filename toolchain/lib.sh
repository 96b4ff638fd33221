# Shared by install.sh and env.sh: where each binary is cached and how it is built.
# shellcheck shell=bash
toolchain_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=toolchain/pins.sh
source "$toolchain_here/pins.sh"

TOOLCHAIN_DIR=${KUBE_BASELINE_TOOLCHAIN_DIR:-$HOME/.cache/kube-baseline/toolchain}
GO_MINIMUM=1.26.0
COMPONENTS="pulumi pulumi-language-nodejs-upstream pulumi-language-nodejs pulumi-resource-kubernetes
    pulumi-resource-tls pulumi-resource-random pulumi-resource-command
    kube-apiserver kube-controller-manager kube-scheduler kubectl kubeadm etcd etcdctl kwok"
# The provider plugins of toolchain/plugins; the bridged ones need their schema generated before they are built.
BRIDGED_PLUGINS="pulumi-resource-tls pulumi-resource-random"

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
        # The v3.68.0 host cannot run plugins (LanguageRuntime.RunPlugin), which the CLI needs for policy packs:
        # pulumi-language-nodejs is our shim (toolchain/langhost-shim) that starts it, forwards every call to it
        # and runs plugins itself. The shim finds the real host beside it under this name.
        pulumi-language-nodejs-upstream:module) echo pulumi-language-nodejs ;;
        pulumi-language-nodejs-upstream:package) echo github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ;;
        pulumi-language-nodejs-upstream:ldflags) echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_LANGUAGE_NODEJS_VERSION" ;;
        pulumi-language-nodejs:module) echo langhost-shim ;;
        pulumi-language-nodejs:package) echo . ;;
        pulumi-language-nodejs:ldflags) echo "-s -w" ;;
        pulumi-resource-kubernetes:module) echo pulumi-resource-kubernetes ;;
        # Our main in the wrapper module: the upstream provider behind lifeline (the engine watchdog), with a
        # TMPDIR of its own (plugintmp: it writes its kubeconfig there).
        pulumi-resource-kubernetes:package) echo . ;;
        pulumi-resource-kubernetes:ldflags) echo "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" ;;
        # tls and random through the Terraform bridge; command is the project's own (toolchain/plugins).
        pulumi-resource-tls:module | pulumi-resource-random:module | pulumi-resource-command:module) echo plugins ;;
        pulumi-resource-tls:package | pulumi-resource-random:package | pulumi-resource-command:package) echo "./cmd/$name" ;;
        pulumi-resource-tls:ldflags | pulumi-resource-random:ldflags | pulumi-resource-command:ldflags)
            echo "-s -w -X main.version=$(plugin_sdk_version "$name")" ;;
        kube-apiserver:module | kube-controller-manager:module | kube-scheduler:module | kubectl:module | kubeadm:module) echo kubernetes ;;
        kube-apiserver:package | kube-controller-manager:package | kube-scheduler:package | kubectl:package | kubeadm:package) echo "k8s.io/kubernetes/cmd/$name" ;;
        kube-apiserver:ldflags | kube-controller-manager:ldflags | kube-scheduler:ldflags | kubectl:ldflags | kubeadm:ldflags) echo "-s -w $(k8s_version_ldflags)" ;;
        etcd:module | etcdctl:module) echo etcd ;;
        etcd:package) echo . ;;
        etcdctl:package) echo go.etcd.io/etcd/etcdctl/v3 ;;
        etcd:ldflags | etcdctl:ldflags) echo "-s -w" ;;
        kwok:module) echo kwok ;;
        kwok:package) echo sigs.k8s.io/kwok/cmd/kwok ;;
        kwok:ldflags) echo "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" ;;
        *) echo "toolchain: unknown component field $name:$field" >&2; return 1 ;;
    esac
}

# The npm SDK version a plugin reports (pins.sh).
plugin_sdk_version() {
    case "$1" in
        pulumi-resource-tls) echo "$PULUMI_TLS_VERSION" ;;
        pulumi-resource-random) echo "$PULUMI_RANDOM_VERSION" ;;
        pulumi-resource-command) echo "$PULUMI_COMMAND_VERSION" ;;
    esac
}

# Where a module's sources are: a wrapper module in toolchain/modules/, or our own code (the language host shim,
# the provider plugins).
module_dir() {
    case "$1" in
        langhost-shim) echo "$toolchain_here/langhost-shim" ;;
        plugins) echo "$toolchain_here/plugins" ;;
        *) echo "$toolchain_here/modules/$1" ;;
    esac
}

# Our own Go code has no release version: it is identified by a digest of what it is built from (tests excluded):
# the module and the project modules it uses (lifeline, plugintmp). Editing any of them builds a new one.
source_digest() (
    cd "$toolchain_here" || exit 1
    export LC_ALL=C
    local sum=(sha256sum)
    command -v sha256sum >/dev/null 2>&1 || sum=(shasum -a 256)
    find "$@" \( -name '*.go' ! -name '*_test.go' \) -o -name go.mod -o -name go.sum | sort | xargs "${sum[@]}" | "${sum[@]}" | cut -c1-12
)
# Computed once here: binary_path runs in many subshells.
LANGHOST_SHIM_DIGEST=$(source_digest langhost-shim lifeline)
PLUGINS_DIGEST=$(source_digest plugins lifeline)
KUBERNETES_WRAPPER_DIGEST=$(source_digest modules/pulumi-resource-kubernetes lifeline plugintmp)

component_version() {
    case "$1" in
        pulumi) echo "$PULUMI_VERSION" ;;
        pulumi-language-nodejs-upstream) echo "$PULUMI_LANGUAGE_NODEJS_VERSION" ;;
        pulumi-language-nodejs) echo "$PULUMI_LANGUAGE_NODEJS_VERSION+shim.$LANGHOST_SHIM_DIGEST" ;;
        # The upstream version, and a digest of the wrapper main around it.
        pulumi-resource-kubernetes) echo "$PULUMI_KUBERNETES_VERSION+wrapper.$KUBERNETES_WRAPPER_DIGEST" ;;
        pulumi-resource-tls | pulumi-resource-random | pulumi-resource-command)
            echo "$(plugin_sdk_version "$1")+plugins.$PLUGINS_DIGEST" ;;
        kube-apiserver | kube-controller-manager | kube-scheduler | kubectl | kubeadm) echo "$KUBERNETES_VERSION" ;;
        etcd | etcdctl) echo "$ETCD_VERSION" ;;
        kwok) echo "$KWOK_VERSION" ;;
    esac
}

# Where a binary is cached: one directory per component and version, so changing one pin rebuilds only it.
# The language host shim, the real host it starts and the dynamic-provider launcher share one directory on PATH.
binary_path() {
    local name=$1
    if [ "$name" = pulumi-language-nodejs-upstream ]; then
        echo "$(dirname "$(binary_path pulumi-language-nodejs)")/$name"
        return 0
    fi
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
        kubeadm) out=$("$found" version -o short 2>/dev/null) ;;
        etcd | kwok) out=$("$found" --version 2>/dev/null | head -n1) ;;
        etcdctl) out=$("$found" version 2>/dev/null | head -n1) ;;
        *) return 1 ;; # plugins have no version flag: always use our own build
    esac
    echo "$out" | grep -Eq "(^|[^0-9A-Za-z.])${want//./\\.}([^0-9A-Za-z.+-]|$)"
}

toolchain_path_dirs() {
    local name dir dirs=""
    for name in $COMPONENTS; do
        dir=$(dirname "$(binary_path "$name")")
        case ":$dirs:" in
            *":$dir:"*) ;;
            *) dirs="$dirs:$dir" ;;
        esac
    done
    echo "${dirs#:}"
}
