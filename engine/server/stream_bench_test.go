package server_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"k8s.io/client-go/tools/remotecommand"
)

// BenchmarkExec is one whole `echo hi` exec through client-go's executor
// (handshake, streams, status) against the fake pod, per transport.
func BenchmarkExec(b *testing.B) {
	env := newStreamEnv(b)
	u := execURL(env, "web", url.Values{"command": {"echo", "hi"}, "stdout": {"true"}, "stderr": {"true"}})
	for _, name := range []string{"websocket", "spdy"} {
		ex := executors(b, env, u)[name]
		b.Run(name, func(b *testing.B) {
			var out, errOut bytes.Buffer // apart: the copies run at once
			for b.Loop() {
				out.Reset()
				if err := ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: &out, Stderr: &errOut}); err != nil || out.String() != "hi\n" {
					b.Fatalf("%q %v", out.String(), err)
				}
			}
		})
	}
}

// BenchmarkPortForward sends 1 MiB through a forwarded connection to the
// fake pod's echo port and reads it back, per transport.
func BenchmarkPortForward(b *testing.B) {
	env := newStreamEnv(b)
	env.listen(b, 8080)
	msg := strings.Repeat("x", 1<<20)
	for _, name := range []string{"tunnel", "spdy"} {
		ports, _ := forward(b, dialers(b, env, "web")[name], "0:8080")
		b.Run(name, func(b *testing.B) {
			b.SetBytes(2 << 20)
			for b.Loop() {
				if got := roundTrip(b, ports[0].Local, msg); len(got) != len(msg)+len("echo: ") {
					b.Fatalf("%d bytes back", len(got))
				}
			}
		})
	}
}
