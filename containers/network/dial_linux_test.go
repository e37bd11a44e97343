package network

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDialContext reaches servers listening inside a pod on 127.0.0.1 and on the pod
// address, as port-forward does.
func TestDialContext(t *testing.T) {
	e := newTestEnv(t)
	ns, ip := e.setup("pod")
	lo := listenEcho(t, ns, "127.0.0.1:0")
	pod := listenEcho(t, ns, net.JoinHostPort(ip.String(), "0"))
	closed := freePort(t, ns)

	tests := []struct {
		name, network, address string
		err                    error // nil = an echo round trip works
	}{
		{name: "loopback", network: "tcp", address: lo},
		{name: "localhost", network: "tcp4", address: "localhost:" + port(lo)},
		{name: "pod address", network: "tcp", address: pod},
		{name: "nothing listening", network: "tcp", address: closed, err: unix.ECONNREFUSED},
		{name: "IPv6 loopback, nothing listening", network: "tcp6", address: "[::1]:" + port(lo), err: unix.ECONNREFUSED},
		{name: "host name", network: "tcp", address: "example.com:80", err: ErrInvalid},
		{name: "port name", network: "tcp", address: "127.0.0.1:http", err: ErrInvalid},
		{name: "IPv4 address for tcp6", network: "tcp6", address: lo, err: ErrInvalid},
		{name: "unix network", network: "unix", address: "/tmp/x", err: ErrInvalid},
		{name: "udp", network: "udp", address: lo, err: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := DialContext(ctx, ns, tt.network, tt.address)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("DialContext = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkEcho(t, c)
		})
	}
}

// TestDialContextStaysInNetNS: the pod's loopback is not the host's.
func TestDialContextStaysInNetNS(t *testing.T) {
	requireRoot(t)
	hostL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveEcho(t, hostL)
	e := newTestEnv(t)
	ns, _ := e.setup("pod")
	_, err = DialContext(context.Background(), ns, "tcp", hostL.Addr().String())
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("dial the host's loopback port from the pod = %v, want connection refused", err)
	}
}

func TestDialContextCancel(t *testing.T) {
	e := newTestEnv(t)
	ns, _ := e.setup("pod")
	// An unused address on the test bridge: ARP gets no answer, so the connect hangs
	// until the context ends. Nothing leaves the test's bridge.
	silent := net.JoinHostPort(e.m.cfg.cluster.Addr().Next().Next().Next().Next().Next().String(), "80")
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := DialContext(ctx, ns, "tcp", silent); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("DialContext = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		if _, err := DialContext(ctx, ns, "tcp", silent); !errors.Is(err, context.Canceled) {
			t.Fatalf("DialContext = %v, want Canceled", err)
		}
	})
	t.Run("already canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := DialContext(ctx, ns, "tcp", silent); !errors.Is(err, context.Canceled) {
			t.Fatalf("DialContext = %v, want Canceled", err)
		}
	})
}

// TestLoopbackUp: a new namespace's lo is down until LoopbackUp, with no Setup at all.
func TestLoopbackUp(t *testing.T) {
	e := newTestEnv(t)
	ns := e.netns("bare")
	addr := listenEcho(t, ns, "127.0.0.1:0")
	if _, err := DialContext(context.Background(), ns, "tcp", addr); !errors.Is(err, unix.ENETUNREACH) {
		t.Fatalf("dial over a down lo = %v, want network unreachable", err)
	}
	if err := LoopbackUp(ns); err != nil {
		t.Fatal(err)
	}
	c, err := DialContext(context.Background(), ns, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	checkEcho(t, c)
}

func listenEcho(t *testing.T, ns, address string) string {
	t.Helper()
	l, err := Listen(ns, "tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	serveEcho(t, l)
	return l.Addr().String()
}

// freePort returns an address in the namespace where nothing listens.
func freePort(t *testing.T, ns string) string {
	t.Helper()
	l, err := Listen(ns, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		name, network, address, want string // want "" = ErrInvalid
	}{
		{name: "IPv4", network: "tcp", address: "10.0.0.1:80", want: "10.0.0.1:80"},
		{name: "IPv6", network: "tcp", address: "[fd00::1]:80", want: "[fd00::1]:80"},
		{name: "localhost", network: "tcp", address: "localhost:8080", want: "127.0.0.1:8080"},
		{name: "localhost for tcp6", network: "tcp6", address: "localhost:8080", want: "[::1]:8080"},
		{name: "mapped IPv4 for tcp4", network: "tcp4", address: "[::ffff:10.0.0.1]:80", want: "10.0.0.1:80"},
		{name: "IPv6 for tcp4", network: "tcp4", address: "[::1]:80"},
		{name: "zone", network: "tcp", address: "[fe80::1%eth0]:80"},
		{name: "host name", network: "tcp", address: "web:80"},
		{name: "no port", network: "tcp", address: "10.0.0.1"},
		{name: "port out of range", network: "tcp", address: "10.0.0.1:65536"},
		{name: "udp", network: "udp", address: "10.0.0.1:53"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap, err := parseEndpoint(tt.network, tt.address)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("parseEndpoint = %v, %v; want ErrInvalid", ap, err)
				}
				return
			}
			if err != nil || ap.String() != tt.want {
				t.Fatalf("parseEndpoint = %v, %v; want %s", ap, err, tt.want)
			}
		})
	}
}

// BenchmarkDialContext: one port-forward connection into a pod's loopback (dial,
// accept, close).
func BenchmarkDialContext(b *testing.B) {
	e := newTestEnv(b)
	ns := e.netns("pod")
	if err := LoopbackUp(ns); err != nil {
		b.Fatal(err)
	}
	l, err := Listen(ns, "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	ctx := context.Background()
	for b.Loop() {
		c, err := DialContext(ctx, ns, "tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
