// pulumi-resource-kubernetes: the upstream provider, served as its own main does (its package main cannot be
// imported), with lifeline first: the engine does not stop a plugin when it dies itself (toolchain/lifeline).
package main

import (
	"context"
	_ "embed"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"

	"kube-baseline/toolchain/lifeline"
)

// Generated at build time from the provider's module (toolchain/install.sh); not in the repository.
var (
	//go:embed schema-embed.json
	schema []byte
	//go:embed terraform-mapping-embed.json
	terraformMapping []byte
)

func main() {
	// Serve takes no context: lifeline ends the process once the engine is gone.
	lifeline.Guard(context.Background(), os.Args[1:], lifeline.DefaultGrace)
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
