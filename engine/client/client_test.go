package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

// serve runs an in-process engine behind the HTTP server on a unix socket
// and returns a client of it.
func serve(t testing.TB, sopts server.Options, copts client.Options) (*client.Client, *engine.Engine) {
	t.Helper()
	e := enginetest.InProcess(t)
	dir, err := os.MkdirTemp("", "minsock") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "min.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(e, sopts)
	hs := &http.Server{Handler: srv}
	hs.RegisterOnShutdown(srv.CloseStreams)
	go hs.Serve(l)
	c := client.New(sock, copts)
	t.Cleanup(func() {
		c.Close()
		hs.Shutdown(context.Background())
		os.RemoveAll(dir)
	})
	return c, e
}

func TestConformanceOverSocket(t *testing.T) {
	enginetest.Run(t, func(t *testing.T) cluster.Interface {
		c, _ := serve(t, server.Options{}, client.Options{})
		return c
	})
}

func TestPing(t *testing.T) {
	c, _ := serve(t, server.Options{}, client.Options{})
	v, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != server.ServedKubeVersion || v.MinVersion != cluster.Version || v.Major != "1" || v.Minor == "" {
		t.Fatalf("version %+v", v)
	}
}

func TestVersionMismatch(t *testing.T) {
	cases := []struct {
		name string
		call func(c *client.Client) error
	}{
		{"ping", func(c *client.Client) error { _, err := c.Ping(context.Background()); return err }},
		{"get", func(c *client.Client) error {
			_, err := c.Get(context.Background(), "pods", "default", "x")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, server.Options{Version: "9.9.9"}, client.Options{})
			err := tc.call(c)
			if !errors.Is(err, client.ErrVersionMismatch) {
				t.Fatalf("got %v", err)
			}
			want := "this client is Min " + cluster.Version + " but the engine at "
			if got := err.Error(); len(got) < len(want) || got[:len(want)] != want {
				t.Fatalf("text %q", got)
			}
		})
	}
}
