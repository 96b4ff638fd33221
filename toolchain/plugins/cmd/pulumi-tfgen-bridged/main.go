// pulumi-tfgen-bridged generates a bridged provider's Pulumi schema and bridge metadata from the Terraform provider,
// at build time (toolchain/install.sh):
//
//	pulumi-tfgen-bridged <tls|random> schema --out <dir> --skip-docs
package main

import (
	"fmt"
	"os"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	bridged "kube-baseline/toolchain/plugins/bridged"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintf(os.Stderr, "usage: %s <%v> <tfgen arguments>\n", os.Args[0], bridged.Names())
		os.Exit(2)
	}
	name := os.Args[1]
	// The schema tfgen writes has no version; the plugin adds its own when it serves it.
	info, err := bridged.Info(name, "", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// tfgen reads its own arguments from os.Args.
	os.Args = append([]string{os.Args[0]}, os.Args[2:]...)
	pftfgen.Main(name, info)
}
