package lifeline_test

import (
	"context"
	"os"

	"kube-baseline/toolchain/lifeline"
)

// serve stands for a plugin's server: pulumi-go-provider's Provider.Run(ctx, name, version), or the Terraform
// bridge's pf.Main(ctx, ...) (which does not stop on ctx; Guard ends the process after the grace).
func serve(ctx context.Context) { <-ctx.Done() }

// A plugin's main calls Guard first, with its own arguments, and serves with the context it returns.
func ExampleGuard() {
	ctx := lifeline.Guard(context.Background(), os.Args[1:], lifeline.DefaultGrace)
	serve(ctx)
}
