#!/usr/bin/env bash
# Builds the Pulumi toolchain and the sandbox's Kubernetes binaries from Go modules, into a cache outside the
# repository keyed by the pinned versions (toolchain/pins.sh). Idempotent: a second run only checks the cache.
# The Node.js language host is our shim (toolchain/langhost-shim) in front of the v3.68.0 host; see lib.sh.
#
#   bash toolchain/install.sh            build what is missing
#   bash toolchain/install.sh --list     print each binary's cached path (or "missing")
#
# Maintainers bumping a pin: TOOLCHAIN_UPDATE_SUMS=1 builds with -mod=mod and copies the resulting go.mod/go.sum
# back into toolchain/modules/<module>/ (otherwise go.sum is authoritative and builds are -mod=readonly).
#
# The cache location is ${KUBE_BASELINE_TOOLCHAIN_DIR:-$HOME/.cache/kube-baseline/toolchain}.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=toolchain/lib.sh
source "$here/lib.sh"

die() { echo "toolchain: $*" >&2; exit 1; }

require_go() {
    command -v go >/dev/null 2>&1 || die "Go is not installed (need go >= $GO_MINIMUM on PATH; Debian's golang is too old, use /usr/local/go)"
    local have
    have=$(go env GOVERSION | sed 's/^go//')
    if [ "$(printf '%s\n%s\n' "$GO_MINIMUM" "$have" | sort -V | head -n1)" != "$GO_MINIMUM" ]; then
        die "Go $have is too old: the pinned modules need go >= $GO_MINIMUM"
    fi
}

# Copies a module to a scratch build directory outside the repo, so builds never write into the checkout.
stage_module() {
    local module=$1 dest=$2 src local_module
    src=$(module_dir "$module")
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -r "$src/." "$dest/"
    # A project module it replaces with a sibling path (=> ../lifeline) is copied beside it, where that path points.
    for local_module in $(sed -n 's#.*=> *\.\./\([A-Za-z0-9._-]*\) *$#\1#p' "$src/go.mod"); do
        rm -rf "$(dirname "$dest")/$local_module"
        cp -r "$src/../$local_module" "$(dirname "$dest")/$local_module"
    done
}

# pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which its repository
# produces with `go generate` and which are therefore absent from the module zip: make a writable copy of the
# module and produce them (the schema with its version set, both re-serialized compactly).
prepare_kubernetes_provider() {
    local dest=$1 src info
    info=$(cd "$dest" && GONOSUMDB=github.com/pulumi/pulumi-kubernetes/provider/v4 GOFLAGS=-mod=mod \
        go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_MODULE_VERSION")
    src=$(node -e 'const i=JSON.parse(process.argv[1]); if (i.Error) { console.error(i.Error); process.exit(1) }
        if (i.Sum !== process.argv[2]) { console.error(`checksum ${i.Sum} != pinned ${process.argv[2]}`); process.exit(1) }
        console.log(i.Dir)' "$info" "$PULUMI_KUBERNETES_MODULE_SUM") || die "pulumi-resource-kubernetes: module download or checksum failed"
    cp -r "$src" "$dest/provider-src"
    chmod -R u+w "$dest/provider-src"
    # Some of its dependencies are unknown to the checksum database this machine reaches; the provider's own
    # go.sum (from the module we just verified) vouches for them.
    sort -u "$dest/go.sum" "$dest/provider-src/go.sum" -o "$dest/go.sum"
    node -e 'const fs=require("fs"); const d=process.argv[1];
        const schema=JSON.parse(fs.readFileSync(d+"/schema.json","utf8")); schema.version=process.argv[2];
        fs.writeFileSync(d+"/schema-embed.json", JSON.stringify(schema));
        fs.writeFileSync(d+"/terraform-mapping-embed.json", JSON.stringify(JSON.parse(fs.readFileSync(d+"/terraform-mapping.json","utf8"))));' \
        "$dest/provider-src/cmd/pulumi-resource-kubernetes" "$PULUMI_KUBERNETES_VERSION"
}

build_one() {
    local name=$1 module package ldflags target build_dir started
    module=$(component_field "$name" module)
    package=$(component_field "$name" package)
    ldflags=$(component_field "$name" ldflags)
    target=$(binary_path "$name")

    if [ -x "$target" ]; then
        echo "toolchain: $name $(component_version "$name") cached at $target"
        return 0
    fi
    if on_path_at_version "$name"; then
        mkdir -p "$(dirname "$target")"
        ln -sf "$(command -v "$name")" "$target"
        echo "toolchain: $name $(component_version "$name") found on PATH at $(command -v "$name"), using it"
        return 0
    fi

    started=$(date +%s)
    echo "toolchain: building $name $(component_version "$name") ..."
    build_dir="$TOOLCHAIN_DIR/build/$module"
    stage_module "$module" "$build_dir"
    if [ "$name" = pulumi-resource-kubernetes ]; then
        prepare_kubernetes_provider "$build_dir"
    fi
    mkdir -p "$(dirname "$target")"
    local log="$TOOLCHAIN_DIR/build/$name.log"
    local mod_mode=readonly
    [ "${TOOLCHAIN_UPDATE_SUMS:-}" = 1 ] && mod_mode=mod
    if ! (cd "$build_dir" && CGO_ENABLED=0 go build -mod=$mod_mode -trimpath -o "$target.partial" -ldflags "$ldflags" "$package") >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$target.partial"
        die "building $name failed (module $(module_dir "$module"), package $package); full log: $log"
    fi
    mv "$target.partial" "$target"
    if [ "$mod_mode" = mod ]; then
        cp "$build_dir/go.mod" "$build_dir/go.sum" "$(module_dir "$module")/"
    fi
    echo "toolchain: built $name in $(( $(date +%s) - started ))s -> $target"
}

# The launcher the Pulumi CLI runs for dynamic providers (plugin "pulumi-nodejs"): node on the program's own
# @pulumi/pulumi dynamic-provider entry point.
install_node_launchers() {
    local dir
    dir=$(dirname "$(binary_path pulumi-language-nodejs)")
    cat >"$dir/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
# Dynamic providers run inside node, from the program's own @pulumi/pulumi (found like require() would,
# so a program in a subdirectory of a package uses that package's node_modules).
entry=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [process.cwd()] })') || exit 1
exec node "$entry" "$@"
EOF
    chmod +x "$dir/pulumi-resource-pulumi-nodejs"
}

main() {
    if [ "${1:-}" = "--list" ]; then
        for name in $COMPONENTS; do
            local p; p=$(binary_path "$name")
            if [ -x "$p" ]; then echo "$name $p"; else echo "$name missing"; fi
        done
        return 0
    fi
    require_go
    local started; started=$(date +%s)
    echo "toolchain: cache $TOOLCHAIN_DIR"
    for name in $COMPONENTS; do build_one "$name"; done
    install_node_launchers
    echo "toolchain: ready in $(( $(date +%s) - started ))s; put it on PATH with: eval \"\$(bash toolchain/env.sh)\""
}

main "$@"
