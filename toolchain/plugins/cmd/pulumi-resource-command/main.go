// pulumi-resource-command: kube-baseline's plugin for command:remote:Command (see package remote).
package main

import (
	"context"
	"fmt"
	"os"

	"kube-baseline/toolchain/plugins/command/remote"
)

// version is the npm @pulumi/command release the program pins, set at build time from toolchain/pins.sh.
var version = "unset"

func main() {
	if err := remote.NewProvider().Run(context.Background(), remote.Name, version); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
