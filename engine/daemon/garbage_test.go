package daemon

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/client"
)

// TestGarbageOnTheSocketLeavesTheEngineUp sends what no client should:
// bytes that are not HTTP, a header too large, a body over the limit, a
// connection that stops mid-request. Each gets an error or is dropped, and
// the engine keeps answering.
func TestGarbageOnTheSocketLeavesTheEngineUp(t *testing.T) {
	home := testHome(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, home, Options{Engine: engine.Options{NoHostNode: true}, Ready: func() { close(ready) }, Log: io.Discard})
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-ready
	cases := []struct {
		name, send string
		status     int // 0: the engine may just close the connection
	}{
		{"not HTTP", "\x00\x01\x02 hello\r\n\r\n", 400},
		{"huge header", "GET /version HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 431},
		{"oversized body", "POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n{\"metadata\":{\"name\":\"" + strings.Repeat("x", 4<<20-21), 413},
		{"cut short", "POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"meta", 0},
		{"bad chunking", "POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("unix", SocketPath(home))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(conn, tc.send)
			if tc.status == 0 {
				conn.(*net.UnixConn).CloseWrite()
				io.Copy(io.Discard, conn)
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("got %s", resp.Status)
			}
		})
	}
	c := client.New(SocketPath(home), client.Options{})
	defer c.Close()
	if _, err := c.Ping(context.Background()); err != nil {
		t.Fatalf("the engine stopped answering: %v", err)
	}
}
