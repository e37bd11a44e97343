package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/remotecommand"
)

// rawUpgrade sends an upgrade request by hand and returns the connection
// and the status line of the answer.
func rawUpgrade(t *testing.T, env *streamEnv, method, path string, headers map[string]string) (net.Conn, *bufio.Reader, int) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(env.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	req, _ := http.NewRequest(method, env.url+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		c.Close()
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		io.Copy(io.Discard, resp.Body)
	}
	return c, br, resp.StatusCode
}

// TestStreamsSurviveGarbage sends malformed handshakes and random bytes
// after each upgrade; every one ends that connection only, and the server
// keeps serving exec.
func TestStreamsSurviveGarbage(t *testing.T) {
	env := newStreamEnv(t)
	execPath := "/api/v1/namespaces/default/pods/web/exec?command=cat&stdin=true&stdout=true"
	pfPath := "/api/v1/namespaces/default/pods/web/portforward"
	ws := func(proto string) map[string]string {
		return map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
			"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": proto}
	}
	spdy := func(proto string) map[string]string {
		return map[string]string{"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": proto}
	}
	cases := []struct {
		name, method, path string
		headers            map[string]string
		code               int
	}{
		{"websocket without a key", "GET", execPath, map[string]string{"Connection": "Upgrade", "Upgrade": "websocket",
			"Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "v5.channel.k8s.io"}, 400},
		{"websocket of another version", "GET", execPath, map[string]string{"Connection": "Upgrade", "Upgrade": "websocket",
			"Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "v5.channel.k8s.io"}, 400},
		{"spdy of an unknown version", "POST", execPath, spdy("v9.channel.k8s.io"), 403},
		{"port-forward spdy of an unknown version", "POST", pfPath, spdy("v9.portforward.k8s.io"), 403},
		{"exec websocket, then garbage", "GET", execPath, ws("v5.channel.k8s.io"), 101},
		{"exec spdy, then garbage", "POST", execPath, spdy("v4.channel.k8s.io"), 101},
		{"port-forward spdy, then garbage", "POST", pfPath, spdy("portforward.k8s.io"), 101},
		{"port-forward tunnel, then garbage", "GET", pfPath, ws("SPDY/3.1+portforward.k8s.io"), 101},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 2; i++ {
				c, _, code := rawUpgrade(t, env, tc.method, tc.path, tc.headers)
				if code != tc.code {
					c.Close()
					t.Fatalf("answer %d, want %d", code, tc.code)
				}
				junk := make([]byte, 4096)
				rand.Read(junk)
				c.Write(junk)
				io.Copy(io.Discard, c) // until the server gives up on it (or the deadline)
				c.Close()
			}
		})
	}
	// The server still serves exec.
	var out bytes.Buffer
	u := execURL(env, "web", url.Values{"command": {"echo", "alive"}, "stdout": {"true"}})
	if err := executors(t, env, u)["websocket"].StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: &out}); err != nil || out.String() != "alive\n" {
		t.Fatalf("exec after the garbage: %q %v", out.String(), err)
	}
}
