// The provider's own cmd/pulumi-resource-kubernetes/main.go, copied: upstream embeds two JSON files that
// `go generate` makes and that the module zip does not carry. build-engine.sh makes them with ./genembed
// (a copy of upstream's generate.go) from the module's schema.json and terraform-mapping.json, in a
// temporary copy of this directory, and builds there; nothing is generated in the repository.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

var providerName = "kubernetes"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve(providerName, version.Version, pulumiSchema, terraformMapping)
}
