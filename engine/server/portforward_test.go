package server_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// dialers are client-go's ways to port-forward, as kubectl picks them.
func dialers(t testing.TB, env *streamEnv, pod string) map[string]httpstream.Dialer {
	t.Helper()
	u, _ := url.Parse(env.url + "/api/v1/namespaces/default/pods/" + pod + "/portforward")
	transport, upgrader, err := spdy.RoundTripperFor(env.cfg)
	if err != nil {
		t.Fatal(err)
	}
	spdyDialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	tunnel, err := portforward.NewSPDYOverWebsocketDialer(u, env.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]httpstream.Dialer{"spdy": spdyDialer, "tunnel": tunnel,
		"fallback": portforward.NewFallbackDialer(tunnel, spdyDialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})}
}

// forward starts client-go's PortForwarder for pod port 8080 and returns
// the local port and the forwarder's stderr.
func forward(t testing.TB, d httpstream.Dialer, ports ...string) ([]portforward.ForwardedPort, *syncBuffer) {
	t.Helper()
	stop, ready := make(chan struct{}), make(chan struct{})
	errOut := &syncBuffer{}
	pf, err := portforward.NewOnAddresses(d, []string{"127.0.0.1"}, ports, stop, ready, io.Discard, errOut)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pf.ForwardPorts() }()
	t.Cleanup(func() {
		close(stop)
		<-done
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("port-forward: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("port-forward never became ready")
	}
	got, err := pf.GetPorts()
	if err != nil {
		t.Fatal(err)
	}
	return got, errOut
}

// roundTrip sends msg on a new local connection, half-closes it and
// reads the answer to its end.
func roundTrip(t testing.TB, port uint16, msg string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, msg)
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return string(b)
}

type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	if s.mu == nil {
		s.mu = make(chan struct{}, 1)
	}
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func TestPortForwardThroughClientGo(t *testing.T) {
	env := newStreamEnv(t)
	env.listen(t, 8080)
	env.listen(t, 9090)
	for name, d := range dialers(t, env, "web") {
		t.Run(name, func(t *testing.T) {
			ports, _ := forward(t, d, "0:8080", "0:9090")
			for i := 0; i < 3; i++ { // several connections on one session
				if got := roundTrip(t, ports[0].Local, "hello"); got != "echo: hello" {
					t.Fatalf("8080: %q", got)
				}
			}
			if got := roundTrip(t, ports[1].Local, strings.Repeat("x", 100000)); got != "echo: "+strings.Repeat("x", 100000) {
				t.Fatalf("9090: %d bytes", len(got))
			}
		})
	}
}

func TestPortForwardToAClosedPortSaysWhy(t *testing.T) {
	env := newStreamEnv(t)
	for name, d := range dialers(t, env, "web") {
		t.Run(name, func(t *testing.T) {
			conn, proto, err := d.Dial(portforward.PortForwardProtocolV1Name)
			if err != nil || proto != portforward.PortForwardProtocolV1Name {
				t.Fatalf("dial: %q %v", proto, err)
			}
			defer conn.Close()
			h := http.Header{"Streamtype": {"error"}, "Port": {"7777"}, "Requestid": {"0"}}
			errS, err := conn.CreateStream(h)
			if err != nil {
				t.Fatal(err)
			}
			errS.Close() // client-go sends nothing on the error stream
			h.Set("streamType", "data")
			if _, err := conn.CreateStream(h); err != nil {
				t.Fatal(err)
			}
			msg, err := io.ReadAll(errS)
			want := "error forwarding port 7777 to pod default/web: dial tcp 127.0.0.1:7777: connect: connection refused"
			if err != nil || string(msg) != want {
				t.Fatalf("error stream %q %v", msg, err)
			}
		})
	}
}

func TestPortForwardRefusesBadStreams(t *testing.T) {
	env := newStreamEnv(t)
	d := dialers(t, env, "web")["spdy"]
	conn, _, err := d.Dial(portforward.PortForwardProtocolV1Name)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, h := range []http.Header{
		{"Streamtype": {"data"}, "Requestid": {"1"}},
		{"Streamtype": {"data"}, "Port": {"http"}, "Requestid": {"1"}},
		{"Streamtype": {"data"}, "Port": {"0"}, "Requestid": {"1"}},
		{"Streamtype": {"data"}, "Port": {"80"}},
		{"Streamtype": {"other"}, "Port": {"80"}, "Requestid": {"1"}},
	} {
		if _, err := conn.CreateStream(h); err == nil {
			t.Errorf("stream %v accepted", h)
		}
	}
}

func (s *syncBuffer) String() string {
	if s.mu == nil {
		s.mu = make(chan struct{}, 1)
	}
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

func TestPortForwardRefusedBeforeUpgrade(t *testing.T) {
	env := newStreamEnv(t)
	for name, d := range dialers(t, env, "nope") {
		_, _, err := d.Dial("portforward.k8s.io")
		if err == nil || !strings.Contains(err.Error(), `pods "nope" not found`) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
