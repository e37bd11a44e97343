package tests

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/luatest"
	"github.com/minspace/min/engine"
)

// luaState returns a Lua state with Min's modules and the assert module on
// a real engine in a fresh state directory.
func luaState(t *testing.T, dir string) (*bindings.State, *bytes.Buffer) {
	t.Helper()
	home := t.TempDir()
	var eng *engine.Engine
	var out bytes.Buffer
	s, err := bindings.New(bindings.Options{
		Engine: func(ctx context.Context) (engine.Interface, error) {
			e, err := engine.Open(home, engine.Options{NoHostNode: true})
			eng = e
			return e, err
		},
		Stdout:    &out,
		Stderr:    &out,
		ScriptDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if eng != nil {
			eng.Close()
		}
	})
	luatest.Open(s, t)
	return s, &out
}

// runLuaFiles runs each file matching pattern as a subtest.
func runLuaFiles(t *testing.T, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua files match %s (%v)", pattern, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".lua"), func(t *testing.T) {
			s, out := luaState(t, filepath.Dir(file))
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			err := s.DoFile(ctx, file)
			if err != nil {
				t.Errorf("%v\n%s", err, out.String())
			}
			if t.Failed() {
				t.Logf("output:\n%s", out.String())
			}
		})
	}
}

// TestLua runs every tests/lua/*.lua script with the assert module.
func TestLua(t *testing.T) { runLuaFiles(t, "lua/*.lua") }
