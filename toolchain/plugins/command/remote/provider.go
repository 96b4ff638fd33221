package remote

import (
	"context"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/middleware/schema"
)

// Name is the package name; the version the plugin reports (the npm @pulumi/command release whose schema this
// implements) is set at build time from toolchain/pins.sh.
const Name = "command"

// NewProvider serves command:remote:Command. Unlike upstream's plugin, each operation is bounded by the resource's
// customTimeouts (create, update, delete) when the program sets them: the remote command is killed at the bound.
func NewProvider() p.Provider {
	provider := infer.Provider(infer.Options{
		Metadata: schema.Metadata{
			DisplayName: "Command",
			Description: "Commands run over SSH as part of the Pulumi resource model (kube-baseline's build of " +
				"command:remote:Command).",
			License: "Apache-2.0",
		},
		Resources: []infer.InferredResource{infer.Resource(&Command{})},
	})
	create, update, del := provider.Create, provider.Update, provider.Delete
	provider.Create = func(ctx context.Context, req p.CreateRequest) (p.CreateResponse, error) {
		ctx, cancel := withTimeout(ctx, req.Timeout)
		defer cancel()
		return create(ctx, req)
	}
	provider.Update = func(ctx context.Context, req p.UpdateRequest) (p.UpdateResponse, error) {
		ctx, cancel := withTimeout(ctx, req.Timeout)
		defer cancel()
		return update(ctx, req)
	}
	provider.Delete = func(ctx context.Context, req p.DeleteRequest) error {
		ctx, cancel := withTimeout(ctx, req.Timeout)
		defer cancel()
		return del(ctx, req)
	}
	return provider
}

func withTimeout(ctx context.Context, seconds float64) (context.Context, context.CancelFunc) {
	if seconds <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(seconds*float64(time.Second)))
}
