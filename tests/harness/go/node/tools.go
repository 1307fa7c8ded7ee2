//go:build tools

// Package tools records the command this module exists to build (the kubelet), so `go mod tidy`
// keeps every module it needs in go.sum. tests/harness/build/build-node.sh builds it with version ldflags.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubelet"
)
