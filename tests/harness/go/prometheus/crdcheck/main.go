// Command crdcheck decodes Prometheus Operator objects (a JSON array on stdin, as components/model/monitoring builds
// them) into the operator's own Go API types (github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring),
// refusing unknown fields the way the API server's strict field validation does, so a misspelt or misplaced field fails here instead of being pruned by the API server.
// It prints one line per object ("ok <kind> <namespace>/<name>" or "error ...") and exits 1 on any error.
//
//	go run . < objects.json      (tests/monitoring/crds.test.ts builds it with tests/harness/build/build-promtool.sh crdcheck)
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	kjson "sigs.k8s.io/json"
)

func target(kind string) (any, error) {
	switch kind {
	case "Probe":
		return &monitoringv1.Probe{}, nil
	case "PodMonitor":
		return &monitoringv1.PodMonitor{}, nil
	case "ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}, nil
	case "PrometheusRule":
		return &monitoringv1.PrometheusRule{}, nil
	}
	return nil, fmt.Errorf("unsupported kind %q", kind)
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Println("error reading stdin:", err)
		os.Exit(2)
	}
	var objects []json.RawMessage
	if err := json.Unmarshal(in, &objects); err != nil {
		fmt.Println("error: stdin is not a JSON array of objects:", err)
		os.Exit(2)
	}
	failed := false
	for i, raw := range objects {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			fmt.Printf("error object %d: %v\n", i, err)
			failed = true
			continue
		}
		id := fmt.Sprintf("%s %s/%s", head.Kind, head.Metadata.Namespace, head.Metadata.Name)
		if head.APIVersion != monitoringv1.SchemeGroupVersion.String() {
			fmt.Printf("error %s: apiVersion %q, want %q\n", id, head.APIVersion, monitoringv1.SchemeGroupVersion.String())
			failed = true
			continue
		}
		obj, err := target(head.Kind)
		if err != nil {
			fmt.Printf("error %s: %v\n", id, err)
			failed = true
			continue
		}
		// The API server's own decoder: case-sensitive field names (encoding/json would take "scrapeTimeOut" for
		// scrapeTimeout), unknown and duplicate fields reported as strict errors.
		strict, err := kjson.UnmarshalStrict(raw, obj)
		if err != nil {
			fmt.Printf("error %s: %v\n", id, err)
			failed = true
			continue
		}
		if len(strict) > 0 {
			for _, e := range strict {
				fmt.Printf("error %s: %v\n", id, e)
			}
			failed = true
			continue
		}
		fmt.Printf("ok %s\n", id)
	}
	if failed {
		os.Exit(1)
	}
}
