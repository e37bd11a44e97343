package daemon

import (
	"context"
	"github.com/minspace/min/engine/daemonctl"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestHomeRemoved(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(home string)
		gone   bool
	}{
		{"untouched", func(string) {}, false},
		{"home removed", func(home string) { os.RemoveAll(home) }, true},
		{"socket removed", func(home string) { os.Remove(SocketPath(home)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			os.MkdirAll(home, 0o700)
			os.WriteFile(SocketPath(home), nil, 0o600)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			gone := homeRemoved(ctx, home, 5*time.Millisecond)
			tc.change(home)
			select {
			case <-gone:
				if !tc.gone {
					t.Fatal("reported gone")
				}
			case <-time.After(300 * time.Millisecond):
				if tc.gone {
					t.Fatal("not reported within 300ms")
				}
			}
		})
	}
}

// A detached engine whose state directory is removed stops by itself
// (a test's temporary folder, `rm -rf $MIN_HOME`) instead of running on.
func TestEngineStopsWhenItsHomeIsRemoved(t *testing.T) {
	dir, err := os.MkdirTemp("", "minhome")
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	st, err := daemonctl.Start(home, daemonctl.Options{NoHostNode: true})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if daemonctl.Running(st.PID) {
			stopOrKill(t, home, st.PID)
		}
		os.RemoveAll(dir)
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(4*homeCheckInterval + 10*time.Second)
	for daemonctl.Running(st.PID) {
		if time.Now().After(deadline) {
			t.Fatalf("engine pid %d still runs after its home was removed", st.PID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
