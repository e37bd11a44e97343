package openapi

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate api_v1.json from client-go's Kubernetes document")

// upstreamDocument reads the Kubernetes core/v1 document client-go ships
// as test data, from the module cache.
func upstreamDocument(t *testing.T) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/client-go").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skipf("k8s.io/client-go is not in the module cache: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "openapi/openapitest/testdata/api__v1_openapi.json"))
	if err != nil {
		t.Skipf("client-go's OpenAPI test data: %v", err)
	}
	return b
}

func TestGenerated(t *testing.T) {
	got, err := Generate(upstreamDocument(t))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("api_v1.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, V1()) {
		t.Fatal("api_v1.json is out of date with engine/api's types: go test ./engine/openapi -update")
	}
}

func TestDescription(t *testing.T) {
	cases := []struct {
		kind   string
		path   []string
		prefix string
		ok     bool
	}{
		{"Pod", nil, "Pod is a collection of containers that can run on a host.", true},
		{"Pod", []string{"spec", "containers"}, "List of containers belonging to the pod.", true},
		{"Pod", []string{"spec", "containers", "image"}, "Container image name.", true},
		{"Pod", []string{"metadata", "labels"}, "Map of string keys and values", true},
		{"ReplicationController", []string{"spec", "replicas"}, "Replicas is the number of desired replicas.", true},
		{"Pod", []string{"spec", "nope"}, "", false},
		{"Pod", []string{"spec", "nodeName", "deeper"}, "", false},
		{"Widget", nil, "", false},
	}
	for _, tc := range cases {
		got, ok := Description(tc.kind, tc.path...)
		if ok != tc.ok || !strings.HasPrefix(got, tc.prefix) {
			t.Errorf("Description(%s, %v) = %q, %v", tc.kind, tc.path, got, ok)
		}
	}
}
