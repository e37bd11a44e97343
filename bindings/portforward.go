package bindings

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine"
)

// forward is one port-forward: a loopback listener whose connections are
// dialled into the pod through the engine.
type forward struct {
	ln     net.Listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func (f *forward) Close() error {
	f.once.Do(func() {
		f.cancel()
		f.ln.Close()
		f.wg.Wait()
	})
	return nil
}

func (s *State) podPortForward(L *lua.LState) int {
	const fn = "pod.port_forward"
	r := s.target(L, 1, podKind, fn, "")
	local, remote, err := parsePorts(L.CheckString(2))
	if err != nil {
		s.raise(L, reasonBadRequest, "%s: %v", fn, err)
	}
	eng := s.api(L)
	if _, err := eng.Get(ctxOf(L), "pods", r.ns, r.name); err != nil {
		s.raiseErr(L, err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(local)))
	if err != nil {
		s.raise(L, reasonBadRequest, "%s: %v", fn, err)
	}
	// The forward outlives this call, so it gets its own context, ended by
	// :close() or State.Close.
	ctx, cancel := context.WithCancel(context.Background())
	f := &forward{ln: ln, cancel: cancel}
	f.wg.Add(1)
	go f.accept(ctx, eng, r.ns, r.name, remote, s.opts.Stderr)
	s.closers = append(s.closers, f)
	L.Push(s.forwardHandle(L, f, remote))
	return 1
}

func (s *State) forwardHandle(L *lua.LState, f *forward, remote int) *lua.LTable {
	h := L.CreateTable(0, 4)
	h.RawSetString("local_port", lua.LNumber(f.ln.Addr().(*net.TCPAddr).Port))
	h.RawSetString("remote_port", lua.LNumber(remote))
	h.RawSetString("close", L.NewFunction(func(L *lua.LState) int {
		f.Close()
		return 0
	}))
	return h
}

// parsePorts reads "8888:8080", "8080" (same port) or ":8080" (any local).
func parsePorts(spec string) (local, remote int, err error) {
	l, r, found := strings.Cut(spec, ":")
	if !found {
		r = l
	}
	if remote, err = strconv.Atoi(r); err != nil || remote <= 0 || remote > 65535 {
		return 0, 0, fmt.Errorf("invalid port %q in %q", r, spec)
	}
	if l == "" {
		return 0, remote, nil
	}
	if local, err = strconv.Atoi(l); err != nil || local < 0 || local > 65535 {
		return 0, 0, fmt.Errorf("invalid port %q in %q", l, spec)
	}
	return local, remote, nil
}

func (f *forward) accept(ctx context.Context, eng engine.Interface, ns, pod string, port int, errs io.Writer) {
	defer f.wg.Done()
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer conn.Close()
			pc, err := eng.DialPod(ctx, ns, pod, port)
			if err != nil {
				fmt.Fprintf(errs, "port_forward: pod/%s/%s:%d: %v\n", ns, pod, port, err)
				return
			}
			defer pc.Close()
			pipe(ctx, conn, pc)
		}()
	}
}

// pipe copies both ways until either side ends or ctx is cancelled.
func pipe(ctx context.Context, a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(a, b); done <- struct{}{} }()
	go func() { io.Copy(b, a); done <- struct{}{} }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	a.Close()
	b.Close()
	<-done
}
