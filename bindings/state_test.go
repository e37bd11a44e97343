package bindings

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
)

// newTestState opens a real engine on a temporary directory.
func newTestState(t *testing.T, opts Options) (*State, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	if opts.Stdout == nil {
		opts.Stdout = &out
	}
	home := t.TempDir()
	var eng *engine.Engine
	opts.Engine = func(ctx context.Context) (cluster.Interface, error) {
		e, err := engine.Open(home, engine.Options{NoHostNode: true})
		eng = e
		return e, err
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if eng != nil {
			eng.Close()
		}
	})
	return s, &out
}

func run(t *testing.T, s *State, chunk string) error {
	t.Helper()
	return s.DoString(context.Background(), chunk, "test.lua")
}

func TestSmoke(t *testing.T) {
	s, out := newTestState(t, Options{})
	err := run(t, s, `
local p = pod.create{name="web", image="busybox", labels={app="web"}}
print(p)
print(p.metadata.labels.app, p.spec.containers[1].image)
print(#pod.list{selector="app=web"})
local ok, e = pcall(label.set, p, {app="x"})
print(ok, e.reason, tostring(e))
print(pod.get("nope"))
`)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "pod/default/web") {
		t.Fatal(out.String())
	}
}
