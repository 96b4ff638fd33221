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
# Provider plugins built from toolchain/plugins (the upstream plugins cannot be downloaded here). Each reports the
# version of the npm SDK that package.json pins exactly, so the engine pairs them:
#   tls 5.3.0 and random 4.19.1 are the npm releases whose own upstream builds used the Terraform providers in
#   toolchain/plugins/go.mod (terraform-provider-tls 4.2.1 at 857b38cd, terraform-provider-random 3.8.1 at de3700a6);
#   command 1.2.1 is @pulumi/command's latest release; toolchain/plugins/command implements its remote:Command.
PULUMI_TLS_VERSION=5.3.0
PULUMI_RANDOM_VERSION=4.19.1
PULUMI_COMMAND_VERSION=1.2.1
# terraform-provider-random's pseudo-version is unknown to the checksum database: install.sh checks the module
# hash against this pin (the same hash upstream pulumi-random v4.19.1's go.sum records).
TERRAFORM_PROVIDER_RANDOM_MODULE=github.com/terraform-providers/terraform-provider-random@v1.3.2-0.20260127150608-de3700a633e4
TERRAFORM_PROVIDER_RANDOM_MODULE_SUM=h1:Ds2rf35kr1MHPUyI1k9kvG8mjChG2vYNFEzuH3JKqOo=
