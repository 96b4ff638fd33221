// pulumi-resource-random: the random provider plugin, bridged from the Terraform provider (see package bridged).
package main

import (
	_ "embed"

	bridged "kube-baseline/toolchain/plugins/bridged"
)

// version is the npm SDK release the program pins, set at build time from toolchain/pins.sh.
var version = "unset"

// Generated at build time by pulumi-tfgen-bridged (toolchain/install.sh); not in the repository.
var (
	//go:embed schema.json
	schema []byte
	//go:embed bridge-metadata.json
	metadata []byte
)

func main() { bridged.Serve("random", version, schema, metadata) }
