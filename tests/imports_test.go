package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMinishLinksNoEngine keeps minish a client: its start-up is every
// package initialiser it links, so the engine, its store, server and
// runtime, and the large libraries they bring (protobuf, gnostic,
// go-containerregistry, apimachinery's meta/v1), stay in min-engine.
func TestMinishLinksNoEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../cmd/minish").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/minspace/min/engine",
		"github.com/minspace/min/engine/store",
		"github.com/minspace/min/engine/server",
		"github.com/minspace/min/engine/daemon",
		"github.com/minspace/min/containers",
		"github.com/tidwall/buntdb",
		"google.golang.org/protobuf/proto",
		"github.com/google/gnostic-models/openapiv2",
		"github.com/google/go-containerregistry/pkg/v1",
		"k8s.io/apimachinery/pkg/apis/meta/v1",
		"k8s.io/api/core/v1",
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	if !deps["github.com/minspace/min/engine/client"] {
		t.Fatalf("go list printed no engine/client among minish's packages:\n%s", out)
	}
	for _, p := range forbidden {
		if deps[p] {
			t.Errorf("minish links %s", p)
		}
	}
}
