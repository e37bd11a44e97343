package bindings

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/cluster"
)

func (s *State) logModule() module {
	return module{name: "log", doc: "Container logs of pods.", funcs: []function{
		{"read", "(pod, {container=, tail=, since=, timestamps=, previous=})", "Returns the container's log as a string (since: seconds).", s.logRead},
		{"lines", "(pod, {...})", "Returns an iterator over the log's lines: for line in log.lines(p) do ... end.", s.logLines},
		{"follow", "(pod, {...}, fn)", "Calls fn(line) for each line, new ones included, until the pod stops, fn returns false, or the run is cancelled.", s.logFollow},
	}}
}

var logOptionNames = []string{"container", "tail", "since", "timestamps", "previous", "namespace"}

func (s *State) logOptions(L *lua.LState, n int, fn string) (ref, cluster.LogOptions) {
	o := s.options(L, n, fn, logOptionNames...)
	r := s.target(L, 1, podKind, fn, o.str("namespace"))
	lo := cluster.LogOptions{Container: o.str("container"), Timestamps: o.boolOr("timestamps", false),
		Previous: o.boolOr("previous", false)}
	if t, ok := o.num("tail"); ok {
		n := int64(t)
		lo.TailLines = &n
	}
	if t, ok := o.num("since"); ok {
		n := int64(t)
		lo.SinceSeconds = &n
	}
	return r, lo
}

func (s *State) readLog(L *lua.LState, fn string) string {
	r, lo := s.logOptions(L, 2, fn)
	var b bytes.Buffer
	if err := s.api(L).Logs(ctxOf(L), r.ns, r.name, lo, &b); err != nil {
		s.raiseErr(L, err)
	}
	return b.String()
}

func (s *State) logRead(L *lua.LState) int {
	L.Push(lua.LString(s.readLog(L, "log.read")))
	return 1
}

func (s *State) logLines(L *lua.LState) int {
	lines := strings.SplitAfter(s.readLog(L, "log.lines"), "\n")
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		for i < len(lines) {
			line := strings.TrimSuffix(lines[i], "\n")
			i++
			if line != "" || i < len(lines) {
				L.Push(lua.LString(line))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
	return 1
}

// logFollow streams the log in a goroutine and calls fn on the Lua
// goroutine for each line (Lua must never run on two goroutines).
func (s *State) logFollow(L *lua.LState) int {
	const fn = "log.follow"
	cb := L.CheckFunction(3)
	r, lo := s.logOptions(L, 2, fn)
	lo.Follow = true
	ctx, cancel := context.WithCancel(ctxOf(L))
	defer cancel()
	pr, pw := io.Pipe()
	defer pr.Close()
	errc := make(chan error, 1)
	eng := s.api(L)
	go func() {
		err := eng.Logs(ctx, r.ns, r.name, lo, pw)
		pw.CloseWithError(err)
		errc <- err
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for line := range lines {
		L.Push(cb)
		L.Push(lua.LString(line))
		L.Call(1, 1)
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LFalse {
			cancel()
			break
		}
	}
	cancel()
	pr.Close()
	if err := <-errc; err != nil && ctx.Err() == nil {
		s.raiseErr(L, err)
	}
	if err := ctxOf(L).Err(); err != nil {
		s.raise(L, "Cancelled", "%s: %v", fn, err)
	}
	return 0
}
