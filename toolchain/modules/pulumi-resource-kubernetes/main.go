// pulumi-resource-kubernetes: the upstream provider, served as its own main does (its package main cannot be
// imported), with lifeline first: the engine does not stop a plugin when it dies itself (toolchain/lifeline).
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"

	"kube-baseline/toolchain/lifeline"
	"kube-baseline/toolchain/plugintmp"
)

// Generated at build time from the provider's module (toolchain/install.sh); not in the repository.
var (
	//go:embed schema-embed.json
	schema []byte
	//go:embed terraform-mapping-embed.json
	terraformMapping []byte
)

func main() {
	// The provider writes the kubeconfig it is given, client key included, to a new file in TMPDIR at every
	// Configure and never removes it: TMPDIR is a directory of this plugin's own, which goes with it.
	tmp, err := plugintmp.Make("kubernetes")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: %v\n", err)
		os.Exit(1)
	}
	tmp.RemoveOnSignal()
	// Serve takes no context: lifeline ends the process once the engine is gone.
	lifeline.Guard(context.Background(), os.Args[1:], lifeline.DefaultGrace)
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
	tmp.Remove()
}
