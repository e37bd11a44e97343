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

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// forward is one port-forward: loopback listeners whose connections are
// dialled into the pod through the engine.
type forward struct {
	lns    []net.Listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func (f *forward) Close() error {
	f.once.Do(func() {
		f.cancel()
		for _, ln := range f.lns {
			ln.Close()
		}
		f.wg.Wait()
	})
	return nil
}

// forwardTo says where one forward's connections go and what to say.
type forwardTo struct {
	eng       cluster.Interface
	ns, pod   string
	remote    int
	errs      io.Writer
	onConnect func()          // called as each connection is accepted (may be nil)
	onError   func(err error) // a failed dial (nil: a line on errs)
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
	f := startForward([]net.Listener{ln}, forwardTo{eng: eng, ns: r.ns, pod: r.name, remote: remote, errs: s.opts.Stderr})
	s.closers = append(s.closers, f)
	L.Push(s.forwardHandle(L, f, remote))
	return 1
}

// startForward accepts on every listener until Close. The forward
// outlives the call that made it, so it has its own context.
func startForward(lns []net.Listener, to forwardTo) *forward {
	ctx, cancel := context.WithCancel(context.Background())
	f := &forward{lns: lns, cancel: cancel}
	for _, ln := range lns {
		f.wg.Add(1)
		go f.accept(ctx, ln, to)
	}
	return f
}

func (s *State) forwardHandle(L *lua.LState, f *forward, remote int) *lua.LTable {
	h := L.CreateTable(0, 4)
	h.RawSetString("local_port", lua.LNumber(f.lns[0].Addr().(*net.TCPAddr).Port))
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

func (f *forward) accept(ctx context.Context, ln net.Listener, to forwardTo) {
	defer f.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		if to.onConnect != nil {
			to.onConnect()
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer conn.Close()
			pc, err := to.eng.DialPod(ctx, to.ns, to.pod, to.remote)
			if err != nil {
				if to.onError != nil {
					to.onError(err)
				} else {
					fmt.Fprintf(to.errs, "port_forward: pod/%s/%s:%d: %v\n", to.ns, to.pod, to.remote, err)
				}
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

// forwardPort is one LOCAL:REMOTE pair of kubectl port-forward.
type forwardPort struct{ local, remote int }

// parseForwardPorts reads kubectl port-forward's pairs: "8888:8080",
// "8080" (the same port) and ":8080" (a free local port), with kubectl's
// errors.
func parseForwardPorts(specs []string) ([]forwardPort, error) {
	var out []forwardPort
	for _, spec := range specs {
		parts := strings.Split(spec, ":")
		var l, r string
		switch len(parts) {
		case 1:
			l, r = parts[0], parts[0]
		case 2:
			l, r = parts[0], parts[1]
			if l == "" {
				l = "0"
			}
		default:
			return nil, fmt.Errorf("invalid port format '%s'", spec)
		}
		local, err := strconv.ParseUint(l, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing local port '%s': %s", l, err)
		}
		remote, err := strconv.ParseUint(r, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("error parsing remote port '%s': %s", r, err)
		}
		if remote == 0 {
			return nil, fmt.Errorf("remote port cannot be zero")
		}
		out = append(out, forwardPort{int(local), int(remote)})
	}
	return out, nil
}

// listenAddr is one address port-forward listens on. Both loopback
// addresses of "localhost" may fail as long as one works; an address the
// user named must work.
type listenAddr struct {
	host     string
	optional bool
}

// forwardAddresses reads kubectl's --address list: "localhost" (the
// default) is 127.0.0.1 and [::1], anything else must be an IP.
func forwardAddresses(list []string) ([]listenAddr, error) {
	if len(list) == 0 {
		list = []string{"localhost"}
	}
	var out []listenAddr
	for _, a := range list {
		if a == "localhost" {
			out = append(out, listenAddr{"127.0.0.1", true}, listenAddr{"::1", true})
			continue
		}
		ip := net.ParseIP(a)
		if ip == nil {
			return nil, fmt.Errorf("%s is not a valid IP", a)
		}
		out = append(out, listenAddr{ip.String(), false})
	}
	return out, nil
}

// listen listens on port at each address; port 0 takes a free port, the
// same on every address. It returns the listeners that work, or an error
// when a named address fails or no loopback one works.
func listen(addrs []listenAddr, port int) ([]net.Listener, error) {
	var lns []net.Listener
	var errs []string
	required := false
	for _, a := range addrs {
		network := "tcp4"
		if strings.Contains(a.host, ":") {
			network = "tcp6"
		}
		ln, err := net.Listen(network, net.JoinHostPort(a.host, strconv.Itoa(port)))
		if err != nil {
			errs = append(errs, fmt.Sprintf("unable to create listener: Error %v", err))
			required = required || !a.optional
			continue
		}
		if port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
		lns = append(lns, ln)
	}
	if len(lns) == 0 || required {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, fmt.Errorf("Listeners failed to create with the following errors: [%s]", strings.Join(errs, " "))
	}
	return lns, nil
}

// lockedWriter serialises the lines the accept loops print.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// vioPortForward is verbio.port_forward(namespace, pod, {"8888:8080",
// ":9090"...}, {addresses={...}, detach=}): kubectl port-forward, on
// --address (default localhost). It prints "Forwarding from ..." per
// listener and "Handling connection for N" per connection,
// and forwards until Ctrl-C, which ends the run, or with detach returns
// "interrupted" (kubectl exits 0; see endOfRun). Errors: nil and an
// error table.
func (s *State) vioPortForward(L *lua.LState) int {
	ns, pod := L.CheckString(1), L.CheckString(2)
	var specs []string
	lst := L.CheckTable(3)
	for i := 1; i <= lst.Len(); i++ {
		specs = append(specs, lua.LVAsString(lst.RawGetInt(i)))
	}
	ctx, eng := ctxOf(L), s.api(L)
	obj, err := eng.Get(ctx, "pods", ns, pod)
	if err != nil {
		return s.fail(L, err)
	}
	if p := obj.(*api.Pod); p.Status.Phase != "Running" {
		return s.fail(L, fmt.Errorf("unable to forward port because pod is not running. Current status=%v", p.Status.Phase))
	}
	ports, err := parseForwardPorts(specs)
	if err != nil {
		return s.fail(L, err)
	}
	o := s.options(L, 4, "verbio.port_forward", "addresses", "detach")
	var names []string
	if t, ok := o.get("addresses").(*lua.LTable); ok {
		for i := 1; i <= t.Len(); i++ {
			names = append(names, lua.LVAsString(t.RawGetInt(i)))
		}
	}
	addrs, err := forwardAddresses(names)
	if err != nil {
		return s.fail(L, err)
	}
	out := &lockedWriter{w: s.opts.Stdout}
	var forwards []*forward
	defer func() {
		for _, f := range forwards {
			f.Close()
		}
	}()
	for _, p := range ports {
		lns, err := listen(addrs, p.local)
		if err != nil {
			fmt.Fprintf(s.opts.Stderr, "Unable to listen on port %d: %v\n", p.local, err)
			continue
		}
		local := lns[0].Addr().(*net.TCPAddr).Port
		for _, ln := range lns {
			a := ln.Addr().(*net.TCPAddr)
			out.printf("Forwarding from %s -> %d\n", net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port)), p.remote)
		}
		to := forwardTo{eng: eng, ns: ns, pod: pod, remote: p.remote, errs: s.opts.Stderr,
			onConnect: func() { out.printf("Handling connection for %d\n", local) },
			onError: func(err error) {
				out.mu.Lock()
				defer out.mu.Unlock()
				fmt.Fprintf(s.opts.Stderr, "error: an error occurred forwarding %d -> %d: %v\n", local, p.remote, err)
			}}
		forwards = append(forwards, startForward(lns, to))
	}
	if len(forwards) == 0 {
		var pairs []string
		for _, p := range ports {
			pairs = append(pairs, fmt.Sprintf("{%d %d}", p.local, p.remote))
		}
		return s.fail(L, fmt.Errorf("unable to listen on any of the requested ports: [%s]", strings.Join(pairs, " ")))
	}
	<-ctx.Done()
	L.Push(lua.LString(s.endOfRun(L, ctx, o.boolOr("detach", false))))
	return 1
}
