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

# Copies a module to a scratch build directory outside the repo, so builds never write into the checkout. The build
# tree mirrors toolchain/ (build/plugins, build/modules/<name>, ...), and the project modules a module replaces with a
# relative path (=> ../lifeline, => ../../lifeline) are copied to where that path points in it.
stage_dir() {
    local src
    src=$(module_dir "$1")
    echo "$TOOLCHAIN_DIR/build/${src#"$toolchain_here"/}"
}

stage_module() {
    local module=$1 dest=$2 src relative
    src=$(module_dir "$module")
    copy_tree "$src" "$dest"
    for relative in $(sed -n 's#.*=> *\(\.\./[A-Za-z0-9._/-]*\) *$#\1#p' "$src/go.mod"); do
        copy_tree "$src/$relative" "$(realpath -m "$dest/$relative")"
    done
}

copy_tree() {
    rm -rf "$2"
    mkdir -p "$2"
    cp -r "$1/." "$2/"
}

# pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which its repository
# produces with `go generate` and which are therefore absent from the module zip: make a writable copy of the
# module and produce them (the schema with its version set, both re-serialized compactly) for the wrapper's main.
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
    node -e 'const fs=require("fs"); const [d, out, version]=process.argv.slice(1);
        const schema=JSON.parse(fs.readFileSync(d+"/schema.json","utf8")); schema.version=version;
        fs.writeFileSync(out+"/schema-embed.json", JSON.stringify(schema));
        fs.writeFileSync(out+"/terraform-mapping-embed.json", JSON.stringify(JSON.parse(fs.readFileSync(d+"/terraform-mapping.json","utf8"))));' \
        "$dest/provider-src/cmd/pulumi-resource-kubernetes" "$dest" "$PULUMI_KUBERNETES_VERSION"
}

# The bridged plugins embed their Pulumi schema and bridge metadata, which the bridge's tfgen generates from the
# Terraform provider: build the generator once per plugins digest (it links the same packages as the plugins), then
# write the files into the staged module. terraform-provider-random's hash is unknown to the checksum database, so
# go.sum must hold the pinned one (go then verifies the download against it).
prepare_bridged_plugin() {
    local name=$1 dest=$2 provider=${1#pulumi-resource-} tfgen log
    grep -qF "${TERRAFORM_PROVIDER_RANDOM_MODULE/@/ } $TERRAFORM_PROVIDER_RANDOM_MODULE_SUM" "$dest/go.sum" ||
        die "toolchain/plugins/go.sum does not pin $TERRAFORM_PROVIDER_RANDOM_MODULE at $TERRAFORM_PROVIDER_RANDOM_MODULE_SUM (pins.sh)"
    tfgen="$TOOLCHAIN_DIR/pulumi-tfgen-bridged/$PLUGINS_DIGEST/pulumi-tfgen-bridged"
    log="$TOOLCHAIN_DIR/build/pulumi-tfgen-bridged.log"
    if [ ! -x "$tfgen" ]; then
        mkdir -p "$(dirname "$tfgen")"
        (cd "$dest" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$tfgen.partial" -ldflags "-s -w" ./cmd/pulumi-tfgen-bridged) >"$log" 2>&1 ||
            { tail -n 30 "$log" >&2; rm -f "$tfgen.partial"; die "building pulumi-tfgen-bridged failed; full log: $log"; }
        mv "$tfgen.partial" "$tfgen"
    fi
    (cd "$dest" && "$tfgen" "$provider" schema --out "cmd/$name" --skip-docs --skip-examples) >>"$log" 2>&1 ||
        { tail -n 30 "$log" >&2; die "generating the $provider schema failed; full log: $log"; }
    [ -s "$dest/cmd/$name/schema.json" ] && [ -s "$dest/cmd/$name/bridge-metadata.json" ] ||
        die "tfgen wrote no schema.json/bridge-metadata.json for $provider; full log: $log"
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
    build_dir=$(stage_dir "$module")
    stage_module "$module" "$build_dir"
    case " $BRIDGED_PLUGINS " in *" $name "*) prepare_bridged_plugin "$name" "$build_dir" ;; esac
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
# @pulumi/pulumi dynamic-provider entry point. The program has no dynamic resources any more; a stack written before
# it moved to @pulumi/tls/random/command still has some, and the upgrade deletes them through this launcher.
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
