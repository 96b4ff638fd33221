// Package bridged maps two Terraform plugin-framework providers (tls, random) to Pulumi through the
// Terraform bridge, with the type tokens and versions of the npm SDKs the program pins (package.json):
// the plugin built here then answers exactly where the upstream plugin would.
package bridged

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	tls "github.com/hashicorp/terraform-provider-tls/kubebaseline"
	random "github.com/terraform-providers/terraform-provider-random/kubebaseline"
	"kube-baseline/toolchain/lifeline"
)

// Spec is what differs between the three providers.
type Spec struct {
	// Name is the Pulumi package name (the plugin is pulumi-resource-<Name>).
	Name string
	// TerraformPrefix is the prefix of the Terraform type names ("tls_" in "tls_private_key").
	TerraformPrefix string
	// NamePrefix is prepended to each Pulumi type name (random's are RandomString, RandomPassword, ...).
	NamePrefix string
	New        func() provider.Provider
	// The upstream Pulumi providers' settings that change behaviour or the state's shape, so that a state
	// written by this plugin reads the same under the upstream plugin.
	AccuratePreview          bool
	RawStateDelta            bool
	ZeroDefaultSchemaVersion bool
}

// Specs lists the providers by Pulumi package name.
var Specs = map[string]Spec{
	"tls": {
		Name: "tls", TerraformPrefix: "tls_", New: tls.New,
		AccuratePreview: true, ZeroDefaultSchemaVersion: true,
	},
	"random": {
		Name: "random", TerraformPrefix: "random_", NamePrefix: "Random", New: random.New,
		AccuratePreview: true, RawStateDelta: true,
	},
}

// Names returns the package names in a stable order.
func Names() []string {
	names := make([]string, 0, len(Specs))
	for n := range Specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Info builds the bridge's ProviderInfo. version is the npm SDK release the program pins (toolchain/pins.sh sets it
// at build time): the plugin reports it, and the engine matches plugins to SDKs by it. metadata is the
// bridge-metadata.json that tfgen wrote for this provider (nil when tfgen itself runs and is about to write it).
func Info(name, version string, metadata []byte) (tfbridge.ProviderInfo, error) {
	spec, ok := Specs[name]
	if !ok {
		return tfbridge.ProviderInfo{}, fmt.Errorf("unknown bridged provider %q (known: %v)", name, Names())
	}
	info := tfbridge.ProviderInfo{
		P:                              pf.ShimProvider(spec.New()),
		Name:                           spec.Name,
		Version:                        version,
		GitHubOrg:                      "hashicorp",
		MetadataInfo:                   tfbridge.NewProviderMetadata(metadata),
		EnableAccurateBridgePreview:    spec.AccuratePreview,
		EnableRawStateDelta:            spec.RawStateDelta,
		EnableZeroDefaultSchemaVersion: spec.ZeroDefaultSchemaVersion,
	}
	makeToken := func(module, typeName string) (string, error) {
		return tokens.MakeStandard(spec.Name)(module, spec.NamePrefix+typeName)
	}
	if err := info.ComputeTokens(tokens.SingleModule(spec.TerraformPrefix, "index", makeToken)); err != nil {
		return tfbridge.ProviderInfo{}, fmt.Errorf("%s: type tokens: %w", name, err)
	}
	return info, nil
}

// Serve runs the provider plugin with the schema and bridge metadata that tfgen generated for it at build time.
func Serve(name, version string, schema, metadata []byte) {
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", name, err)
		os.Exit(1)
	}
	info, err := Info(name, version, metadata)
	if err != nil {
		fail(err)
	}
	// tfgen leaves the version out of the schema; GetSchema reports it like upstream's plugin does.
	if schema, err = schemaWithVersion(schema, version); err != nil {
		fail(err)
	}
	// The engine does not stop a plugin when it dies itself: lifeline does (toolchain/lifeline).
	ctx := lifeline.Guard(context.Background(), os.Args[1:], lifeline.DefaultGrace)
	pf.Main(ctx, name, info, pf.ProviderMetadata{PackageSchema: schema})
}

func schemaWithVersion(schema []byte, version string) ([]byte, error) {
	var spec map[string]json.RawMessage
	if err := json.Unmarshal(schema, &spec); err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	v, _ := json.Marshal(version)
	spec["version"] = v
	return json.Marshal(spec)
}
