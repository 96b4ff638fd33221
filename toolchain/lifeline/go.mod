module kube-baseline/toolchain/lifeline

go 1.25.11

// The lowest gRPC among the modules that use this one (toolchain/plugins), so requiring lifeline never
// raises theirs.
require google.golang.org/grpc v1.79.1

// Indirect versions as selected for toolchain/plugins, which are in the module cache.
require (
	golang.org/x/net v0.51.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/text v0.34.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260223185530-2f722ef697dc // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
