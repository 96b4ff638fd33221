// pulumi-resource-command: kube-baseline's plugin for command:remote:Command (see package remote).
package main

import (
	"context"
	"fmt"
	"os"

	"kube-baseline/toolchain/lifeline"
	"kube-baseline/toolchain/plugins/command/remote"
)

// version is the npm @pulumi/command release the program pins, set at build time from toolchain/pins.sh.
var version = "unset"

func main() {
	// The engine does not stop a plugin when it dies itself: lifeline does (toolchain/lifeline), and a command
	// still running on a node is killed with the SSH session when the context ends.
	ctx := lifeline.Guard(context.Background(), os.Args[1:], lifeline.DefaultGrace)
	if err := remote.NewProvider().Run(ctx, remote.Name, version); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
