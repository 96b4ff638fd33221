// Package kubebaseline exposes the time Terraform provider's plugin-framework provider to the bridge.
package kubebaseline

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	upstream "github.com/hashicorp/terraform-provider-time/internal/provider"
)

// New returns the upstream provider, unchanged.
func New() provider.Provider { return upstream.New() }
