// Package kubebaseline exposes the tls Terraform provider's plugin-framework provider to the bridge.
package kubebaseline

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	upstream "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

// New returns the upstream provider, unchanged.
func New() provider.Provider { return upstream.New() }
