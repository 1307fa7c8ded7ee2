//go:build tools

// Package tools records the commands this module exists to build, so `go mod tidy` keeps
// every module they need in go.sum. Build them with
//   go build k8s.io/kubernetes/cmd/kube-apiserver
// from this directory (scripts/build-test-binaries.sh does, with version ldflags).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
