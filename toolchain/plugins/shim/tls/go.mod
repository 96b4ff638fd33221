// Named under the Terraform provider's own module path: Go lets only such a path import its internal/provider.
module github.com/hashicorp/terraform-provider-tls/kubebaseline

go 1.25.11

require github.com/hashicorp/terraform-provider-tls v1.2.1-0.20260130152455-857b38cda3fc
