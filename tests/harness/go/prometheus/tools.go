//go:build tools

// Package tools records the command this wrapper module exists to build, so `go mod tidy` keeps every module it
// needs in go.sum. tests/harness/build/build-promtool.sh builds it from this directory:
//
//	go build -o <cache>/promtool github.com/prometheus/prometheus/cmd/promtool
//
// promtool checks the rendered PrometheusRule groups (`promtool check rules`) and runs their unit tests
// (`promtool test rules`) in tests/monitoring/promtool.test.ts.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
