package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
	"k8s.io/client-go/rest"
)

// podIO is an engine whose pods run a tiny fake shell instead of
// processes, and whose ports are listeners of the test, so that the
// streaming protocols are tested without root. Commands:
//
//	echo WORDS     writes WORDS and a newline to stdout
//	cat            copies stdin to stdout
//	warn TEXT      writes TEXT to stderr
//	exit N         exits N
//	tty            writes "tty" or "notty" as opts.TTY says
//	size WxH       waits until opts.Resize gives that terminal size, writes it
//	block          waits for its context to end
//	fail           returns an engine error (not an exit code)
type podIO struct {
	*engine.Engine
	mu    sync.Mutex
	ports map[int]string // pod port -> test listener address
	execs int            // running commands
	logs  engine.LogOptions
}

// Logs writes five lines, then (following) waits for its context.
func (p *podIO) Logs(ctx context.Context, namespace, pod string, opts engine.LogOptions, w io.Writer) error {
	if _, err := p.Get(ctx, "pods", namespace, pod); err != nil {
		return err
	}
	p.mu.Lock()
	p.logs = opts
	p.mu.Unlock()
	for i := 1; i <= 5; i++ {
		if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
			return err
		}
	}
	if opts.Follow {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (p *podIO) Exec(ctx context.Context, namespace, pod string, opts engine.ExecOptions) (int, error) {
	p.mu.Lock()
	p.execs++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.execs--
		p.mu.Unlock()
	}()
	out := func(w io.Writer, s string) {
		if w != nil {
			io.WriteString(w, s)
		}
	}
	args := opts.Command[1:]
	switch opts.Command[0] {
	case "echo":
		out(opts.Stdout, strings.Join(args, " ")+"\n")
	case "cat":
		if opts.Stdin == nil {
			return 1, nil
		}
		io.Copy(opts.Stdout, opts.Stdin)
	case "warn":
		out(opts.Stderr, strings.Join(args, " ")+"\n")
	case "exit":
		var code int
		fmt.Sscan(args[0], &code)
		return code, nil
	case "tty":
		if opts.TTY {
			out(opts.Stdout, "tty\n")
		} else {
			out(opts.Stdout, "notty\n")
		}
	case "size":
		for opts.Resize != nil { // sizes not taken in time are replaced by later ones
			select {
			case sz := <-opts.Resize:
				if got := fmt.Sprintf("%dx%d", sz.Width, sz.Height); got == args[0] {
					out(opts.Stdout, got+"\n")
					return 0, nil
				}
			case <-ctx.Done():
				return -1, ctx.Err()
			}
		}
	case "block":
		<-ctx.Done()
		return -1, ctx.Err()
	case "fail":
		return -1, api.NewBadRequest("the runtime said no")
	default:
		out(opts.Stderr, "sh: "+opts.Command[0]+": not found\n")
		return 127, nil
	}
	return 0, nil
}

func (p *podIO) running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.execs
}

func (p *podIO) DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	if _, err := p.Get(ctx, "pods", namespace, pod); err != nil {
		return nil, err
	}
	p.mu.Lock()
	addr, ok := p.ports[port]
	p.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("dial tcp 127.0.0.1:%d: connect: connection refused", port)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// streamEnv is a server on a simulated node with pod "web" (container
// "c") and "two" (containers "a" and "b"), served over plain HTTP.
type streamEnv struct {
	eng *podIO
	srv *server.Server
	url string
	cfg *rest.Config
}

func newStreamEnv(t testing.TB) *streamEnv {
	t.Helper()
	e := enginetest.InProcess(t)
	ctx := context.Background()
	node := &api.Node{ObjectMeta: api.ObjectMeta{Name: "sim", Annotations: map[string]string{engine.NodeTypeAnnotation: engine.NodeSimulated}}}
	if _, err := e.Create(ctx, node, engine.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*api.Pod{
		{ObjectMeta: api.ObjectMeta{Name: "web"}, Spec: api.PodSpec{NodeName: "sim", Containers: []api.Container{{Name: "c", Image: "busybox"}}}},
		{ObjectMeta: api.ObjectMeta{Name: "two"}, Spec: api.PodSpec{NodeName: "sim", Containers: []api.Container{{Name: "a", Image: "busybox"}, {Name: "b", Image: "busybox"}}}},
		{ObjectMeta: api.ObjectMeta{Name: "pending"}, Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}},
			NodeSelector: map[string]string{"no": "such-node"}}},
	} {
		if _, err := e.Create(ctx, p, engine.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	env := &streamEnv{eng: &podIO{Engine: e, ports: map[int]string{}}}
	env.srv = server.New(env.eng, server.Options{Log: log.New(io.Discard, "", 0)})
	hs := httptest.NewServer(env.srv)
	t.Cleanup(func() {
		env.srv.CloseStreams()
		hs.Close()
	})
	env.url = hs.URL
	env.cfg = &rest.Config{Host: hs.URL}
	return env
}

// listen opens a test listener standing for the pod's port: each
// connection gets "echo: " and what it sent, up to the client's end.
func (env *streamEnv) listen(t testing.TB, podPort int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	env.eng.mu.Lock()
	env.eng.ports[podPort] = l.Addr().String()
	env.eng.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, _ := io.ReadAll(c)
				io.WriteString(c, "echo: "+string(b))
			}()
		}
	}()
}

// waitIdle fails unless every fake command has ended.
func (env *streamEnv) waitIdle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for env.eng.running() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d commands still running", env.eng.running())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
