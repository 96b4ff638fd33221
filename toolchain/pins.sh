# Versions the toolchain is built at. The Go wrapper modules in toolchain/modules/ pin the same versions in
# their go.mod files; this file adds what go.mod cannot say (version labels for ldflags, what to check on PATH).
# Changing a version here means changing the matching go.mod/go.sum too (toolchain/install.sh checks they agree).

# Pulumi CLI: the newest release whose module zip the reachable module proxy serves (v3.260.0's is refused).
PULUMI_VERSION=v3.259.0
# Node.js language host: its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is only published under
# pseudo-versions the proxy does not serve; sdk/v3 v3.68.0 is the last release that still contained it.
PULUMI_LANGUAGE_NODEJS_VERSION=v3.68.0
# Kubernetes provider: provider/v4 has no tags; this is the only pseudo-version the proxy serves
# (commit f47bc2d6, 2026-01-15, between the v4.24.1 and v4.25.0 releases). The npm SDK is pinned to 4.24.1.
PULUMI_KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
PULUMI_KUBERNETES_VERSION=4.25.0-alpha.1768448096+f47bc2d6
# The checksum database does not know that pseudo-version, so install.sh checks the module hash against this pin.
PULUMI_KUBERNETES_MODULE_SUM=h1:j2bphCf7c2YhnBrhwht2f3TNRRgcMImltUlAgzxr9H4=
# Control plane for the sandbox.
KUBERNETES_VERSION=v1.35.4
ETCD_VERSION=v3.6.5
KWOK_VERSION=v0.8.0
