module kube-baseline/toolchain/langhost-shim

go 1.25.11

require (
	github.com/pulumi/pulumi/sdk/v3 v3.259.0
	google.golang.org/grpc v1.83.1
	gopkg.in/yaml.v3 v3.0.1
	google.golang.org/protobuf v1.36.12
	kube-baseline/toolchain/lifeline v0.0.0
)

// The project's own watchdog module, beside this one (toolchain/install.sh stages it next to the shim's copy).
replace kube-baseline/toolchain/lifeline => ../lifeline

// Indirect versions as selected for the Pulumi CLI build (toolchain/modules/pulumi), which are in the module cache.
require (
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260819154853-08b0e4226688 // indirect
)
