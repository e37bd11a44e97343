package tests

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/luatest"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server"
)

// luaState returns a Lua state with Min's modules and the assert module on
// a real engine in a fresh state directory: in this process, or (socket)
// served over a unix socket and reached through engine/client as minish
// reaches the daemon.
func luaState(t *testing.T, dir string, socket bool) (*bindings.State, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	var closers []func() // the engine's, run after the state is closed
	s, err := bindings.New(bindings.Options{
		Engine: func(ctx context.Context) (cluster.Interface, error) {
			return openTestEngine(t, socket, &closers)
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
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	})
	luatest.Open(s, t)
	return s, &out
}

// openTestEngine opens an engine without the host node, closed at the end
// of the test (closers, in reverse order); with socket, a client of it over
// a unix socket.
func openTestEngine(t *testing.T, socket bool, closers *[]func()) (cluster.Interface, error) {
	e, err := engine.Open(t.TempDir(), engine.Options{NoHostNode: true})
	if err != nil {
		return nil, err
	}
	*closers = append(*closers, func() { e.Close() })
	if !socket {
		return e, nil
	}
	dir, err := os.MkdirTemp("", "minsock") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		return nil, err
	}
	*closers = append(*closers, func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "min.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	srv := server.New(e, server.Options{})
	hs := &http.Server{Handler: srv}
	hs.RegisterOnShutdown(srv.CloseStreams)
	go hs.Serve(l)
	c := client.New(sock, client.Options{})
	*closers = append(*closers, func() {
		c.Close()
		hs.Shutdown(context.Background())
	})
	return c, nil
}

// runLuaFiles runs each file matching pattern as a subtest, against the
// in-process engine and over the socket.
func runLuaFiles(t *testing.T, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua files match %s (%v)", pattern, err)
	}
	for _, mode := range []struct {
		name   string
		socket bool
	}{{"embedded", false}, {"socket", true}} {
		t.Run(mode.name, func(t *testing.T) {
			for _, file := range files {
				t.Run(strings.TrimSuffix(filepath.Base(file), ".lua"), func(t *testing.T) {
					runLuaFile(t, file, mode.socket)
				})
			}
		})
	}
}

func runLuaFile(t *testing.T, file string, socket bool) {
	s, out := luaState(t, filepath.Dir(file), socket)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := s.DoFile(ctx, file); err != nil {
		t.Errorf("%v\n%s", err, out.String())
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}

// TestLua runs every tests/lua/*.lua script with the assert module.
func TestLua(t *testing.T) { runLuaFiles(t, "lua/*.lua") }
