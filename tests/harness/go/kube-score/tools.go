//go:build tools

// Package tools records the command this wrapper module exists to build, so `go mod tidy` keeps every module it
// needs in go.sum. tests/harness/build/build-kube-score.sh builds it from this directory:
//
//	go build -o <cache>/kube-score github.com/zegl/kube-score/cmd/kube-score
//
// kube-score is an outside judge of the rendered Kubernetes objects (tests/realparts/kube-score.test.ts).
package tools

import (
	_ "github.com/zegl/kube-score/cmd/kube-score"
)
