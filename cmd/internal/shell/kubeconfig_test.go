package shell

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/daemon"
)

// TestKubeconfigFollowsNamespace runs an engine with its HTTPS listener
// and checks that minish kubeconfig reuses it, writes 0600 and carries
// the current namespace.
func TestKubeconfigFollowsNamespace(t *testing.T) {
	home, err := os.MkdirTemp("", "minkc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	runDaemon(t, home, "127.0.0.1:0")
	for _, tc := range []struct{ name, state, want string }{
		{"default", "", "namespace: default"},
		{"chosen", "namespace=custom\n", "namespace: custom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.state != "" {
				if err := os.WriteFile(filepath.Join(home, bindings.ContextFile), []byte(tc.state), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path, err := writeKubeconfig(home, Options{})
			if err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("%v %v", st.Mode(), err)
			}
			b, _ := os.ReadFile(path)
			cfg, err := readKubeconfig(path)
			if err != nil || !strings.Contains(string(b), tc.want) || !reachable(cfg) {
				t.Fatalf("%v\n%s", err, b)
			}
		})
	}
}

// runDaemon runs an engine daemon of home (without the host node) until
// the test ends, with its HTTPS listener on listen unless that is "".
func runDaemon(t *testing.T, home, listen string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, home, daemon.Options{Listen: listen, Log: discard{},
			Engine: engine.Options{NoHostNode: true}, Ready: func() { close(ready) }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("engine did not start")
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
