//go:build tools

// Package tools records the command this module exists to build, so `go mod tidy` keeps every module
// it needs in go.sum. tests/harness/build/build-traefik.sh builds it with version ldflags.
package tools

import (
	_ "github.com/traefik/traefik/v3/cmd/traefik"
)
