//go:build tools

// Package tools records the command this wrapper module exists to build, so `go mod tidy` keeps every module it
// needs in go.sum. tests/harness/build/build-trivy.sh builds it from this directory:
//
//	GOEXPERIMENT=jsonv2 go build -o <cache>/trivy github.com/aquasecurity/trivy/cmd/trivy
//
// Trivy's misconfiguration scanner (`trivy config`, with the checks embedded from github.com/aquasecurity/trivy-checks
// at the version go.sum pins, no download) is an outside judge of the rendered objects (tests/realparts/trivy.test.ts).
package tools

import (
	_ "github.com/aquasecurity/trivy/cmd/trivy"
)
