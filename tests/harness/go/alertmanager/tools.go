//go:build tools

// Package tools records the commands this wrapper module exists to build, so `go mod tidy` keeps every module they
// need in go.sum. tests/harness/build/build-amtool.sh builds them from this directory:
//
//	go build -o <cache>/amtool github.com/prometheus/alertmanager/cmd/amtool
//	go build -o <cache>/alertmanager github.com/prometheus/alertmanager/cmd/alertmanager
//
// amtool checks monitoring/alertmanager/alertmanager.yml (`amtool check-config`), its routing tree
// (`amtool config routes test`) and its notification templates (`amtool template render`); a real alertmanager
// on 127.0.0.1 proves its inhibition rules (tests/monitoring/alertmanager.test.ts).
package tools

import (
	_ "github.com/prometheus/alertmanager/cmd/alertmanager"
	_ "github.com/prometheus/alertmanager/cmd/amtool"
)
