//go:build tools

// Package tools pins the Pulumi CLI's main package (and the sdk package whose Version variable
// build-engine.sh sets with -ldflags -X) so `go mod tidy` keeps them and their dependencies.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
