// Named under the Terraform provider's own module path: Go lets only such a path import its internal/provider.
module github.com/hashicorp/terraform-provider-time/kubebaseline

go 1.25.11

require github.com/hashicorp/terraform-provider-time v0.12.1
