// Named under the Terraform provider's own module path: Go lets only such a path import its internal/provider.
module github.com/terraform-providers/terraform-provider-random/kubebaseline

go 1.25.11

require github.com/terraform-providers/terraform-provider-random v1.3.2-0.20260127150608-de3700a633e4
