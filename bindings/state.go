package bindings

import (
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// Options configure New. The zero value is a state with no engine (cluster
// functions raise an error), output on os.Stdout/os.Stderr and the
// namespace "default".
type Options struct {
	// Engine is called the first time a chunk touches a cluster object and
	// never before, so a chunk that only computes opens no engine. It is
	// the one seam between the DSL and an engine: in-process or remote.
	Engine func(ctx context.Context) (cluster.Interface, error)
	// Stdout and Stderr receive print() and help() output.
	Stdout, Stderr io.Writer
	// Namespace is the initial current namespace (namespace.use changes it).
	Namespace string
	// DryRun records mutations instead of applying them (see Plan).
	DryRun bool
	// ScriptDir is the folder require() and manifest paths are relative
	// to (the running script's folder; "" loads no modules from files).
	ScriptDir string
}

// State is a Lua state with Min's modules loaded. It belongs to one
// goroutine at a time.
type State struct {
	L    *lua.LState
	opts Options

	connectOnce sync.Once
	eng         cluster.Interface
	engErr      error
	plan        *planner // non-nil in dry-run mode

	ns      string // current namespace
	conv    *converter
	meta    map[string]*lua.LTable // Kind -> metatable of its objects
	kindOf  map[reflect.Type]api.Kind
	docs    map[lua.LValue]string // module tables and functions -> doc key
	closers []io.Closer           // port-forwards to stop on Close
	trace   string                // traceback of the last failed call
}

// New makes a Lua state with Min's modules as globals and as
// require("min.<name>").
func New(opts Options) (*State, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	s := &State{opts: opts, ns: opts.Namespace, conv: newConverter(),
		meta: map[string]*lua.LTable{}, kindOf: map[reflect.Type]api.Kind{}, docs: map[lua.LValue]string{}}
	if s.ns == "" {
		s.ns = "default"
	}
	for _, k := range api.Kinds {
		s.kindOf[reflect.TypeOf(k.New())] = k
	}
	s.L = newLua(s)
	wrapBaseLib(s.L)
	s.install()
	s.registerPrinters()
	return s, nil
}

// Close stops what the state started (port-forwards) and closes Lua. It
// does not close the engine: whoever made it owns it.
func (s *State) Close() error {
	for _, c := range s.closers {
		c.Close()
	}
	s.closers = nil
	s.L.Close()
	return nil
}

// api returns the engine, connecting on first use; failure raises.
func (s *State) api(L *lua.LState) cluster.Interface {
	s.connectOnce.Do(func() {
		if s.opts.Engine == nil {
			s.engErr = fmt.Errorf("no engine: this Lua state was made without Options.Engine")
			return
		}
		s.eng, s.engErr = s.opts.Engine(ctxOf(L))
		if s.engErr == nil && s.opts.DryRun {
			s.plan = newPlanner(s.eng)
			s.eng = s.plan
		}
	})
	if s.engErr != nil {
		s.raise(L, reasonInternal, "%v", s.engErr)
	}
	return s.eng
}

// Connected reports whether a chunk has touched the cluster (and so made
// the engine).
func (s *State) Connected() bool { return s.eng != nil }

// Plan returns the mutations a dry run recorded, one line each
// ("+ pod/default/web", "~ pod/default/web labels.env: prod -> debug",
// "- pod/default/old"), in order.
func (s *State) Plan() []string {
	if s.plan == nil {
		return nil
	}
	return s.plan.Lines()
}

// Namespace is the current namespace.
func (s *State) Namespace() string { return s.ns }

// ctxOf is the run's context (Background outside a run).
func ctxOf(L *lua.LState) context.Context {
	if ctx := L.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// DoFile runs a script file with args as arg[1..] and "...". A first
// line starting with # (#!/usr/bin/env minish) is ignored, as in Lua 5.1.
func (s *State) DoFile(ctx context.Context, path string, args ...string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return s.DoString(ctx, luavm.SkipHashLine(string(src)), path, args...)
}

// DoString runs chunk (named name in error messages) with args.
func (s *State) DoString(ctx context.Context, chunk, name string, args ...string) error {
	fn, err := luavm.Load(s.L, chunk, name)
	if err != nil {
		return &Error{Message: strings.TrimSpace(err.Error()), cause: err}
	}
	s.setArg(name, args)
	lvs := make([]lua.LValue, len(args))
	for i, a := range args {
		lvs[i] = lua.LString(a)
	}
	_, err = s.call(ctx, fn, lvs, 0)
	return err
}

// call runs fn under ctx with Min's protected call and returns its
// results; a failure is an *Error carrying the traceback.
func (s *State) call(ctx context.Context, fn *lua.LFunction, args []lua.LValue, nret int) ([]lua.LValue, error) {
	L := s.L
	old := L.Context()
	L.SetContext(ctx)
	defer func() {
		if old != nil {
			L.SetContext(old)
		} else {
			L.RemoveContext()
		}
	}()
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := luavm.PCall(L, len(args), nret, s.tracer()); err != nil {
		L.SetTop(top)
		e := runError(L, err)
		e.Traceback = s.trace
		if ctx.Err() != nil {
			e.cause = ctx.Err()
			if e.Reason == "" {
				e.Reason = "Cancelled"
			}
		}
		return nil, e
	}
	n := L.GetTop() - top
	out := make([]lua.LValue, n)
	for i := range n {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out, nil
}

// tracer is the message handler of top-level calls: it records the
// traceback where the error was raised and passes the value on unchanged.
func (s *State) tracer() *lua.LFunction {
	return s.L.NewFunction(func(L *lua.LState) int {
		s.trace = luavm.Traceback(L, "", 1)
		L.Push(L.Get(1))
		return 1
	})
}

// setArg sets the global arg table as lua does: arg[0] the script.
func (s *State) setArg(name string, args []string) {
	t := s.L.CreateTable(len(args), 1)
	t.RawSetInt(0, lua.LString(name))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	s.L.SetGlobal("arg", t)
}

// Register adds a Go module: a global table name with funcs, also
// available as require(name) and require("min."+name). Embedders use it
// to give scripts their own functions.
func (s *State) Register(name string, funcs map[string]lua.LGFunction) *lua.LTable {
	L := s.L
	t := L.SetFuncs(L.CreateTable(0, len(funcs)), funcs)
	L.SetGlobal(name, t)
	preload := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	loader := L.NewFunction(func(L *lua.LState) int {
		L.Push(t)
		return 1
	})
	preload.RawSetString(name, loader)
	preload.RawSetString("min."+name, loader)
	return t
}
