// Package kubebaseline exposes the random Terraform provider's plugin-framework provider to the bridge.
package kubebaseline

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// New returns the upstream provider, unchanged.
func New() provider.Provider { return upstream.New() }
