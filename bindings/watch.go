package bindings

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/printers"
)

// The watch module follows objects as they change. A watcher lists first
// and then watches from that list's revision, so that no change between
// the two is lost or seen twice (kubectl get --watch does the same); when
// the engine drops a watch that fell behind, the watcher resumes after the
// last revision it saw.

func (s *State) watchModule() module {
	const opts = "{namespace=, selector=, fields=, name=, all_namespaces=, timeout=}"
	return module{name: "watch", doc: "Watches: follow changes to objects as they happen.", funcs: []function{
		{"start", "(resource, " + opts + ")",
			"Lists the objects and starts watching them; returns a watcher w: w.items (the objects at the start), w:next() (the next change: type and object, nil once the watch is over) and w:close().\nresource is \"pods\", \"po\", \"nodes\", \"namespaces\", \"rc\" or \"events\"; name watches one object; timeout (seconds) ends the watch; Ctrl-C ends it too.", s.watchStart},
		{"events", "(resource, {namespace=, selector=, fields=, name=, all_namespaces=, timeout=, initial=false})",
			"Returns an iterator over the changes from now on: for type, obj in watch.events(\"pods\", {selector=\"app=kubia\", timeout=30}) do ... end. type is ADDED, MODIFIED or DELETED.\nWith initial=true the objects that exist come first, as ADDED.", s.watchEvents},
	}}
}

// rewatchPause is the wait before a watch the engine closed is resumed.
const rewatchPause = 50 * time.Millisecond

// watcher follows one resource from a consistent starting point.
type watcher struct {
	eng      cluster.Interface
	resource string
	opts     cluster.ListOptions
	ctx      context.Context // ends the engine's watch: Close or State.Close
	cancel   context.CancelFunc
	ch       <-chan cluster.Event
	rv       string    // last revision seen
	deadline time.Time // zero: none
	once     sync.Once
}

// startWatch lists the objects (when list is set) and watches from the
// list's revision, or from now. ctx bounds the list and the first watch
// call only: the watch itself lives until Close.
func startWatch(ctx context.Context, eng cluster.Interface, resource string, lo cluster.ListOptions, list bool, timeout time.Duration) (*watcher, []api.Object, error) {
	wctx, cancel := context.WithCancel(context.Background())
	w := &watcher{eng: eng, resource: resource, opts: lo, ctx: wctx, cancel: cancel}
	if timeout > 0 {
		w.deadline = time.Now().Add(timeout)
	}
	var items []api.Object
	if list {
		l, err := eng.List(ctx, resource, lo)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		items, w.rv = l.Items, l.ResourceVersion
	}
	if err := w.rewatch(); err != nil {
		cancel()
		return nil, nil, err
	}
	return w, items, nil
}

func (w *watcher) rewatch() error {
	lo := w.opts
	lo.ResourceVersion = w.rv
	ch, err := w.eng.Watch(w.ctx, w.resource, lo)
	if err != nil {
		return err
	}
	w.ch = ch
	return nil
}

// next blocks until the next change. ok is false once the watch is over:
// its deadline passed, Close was called, it could not be resumed, or ctx
// (the caller's run) ended; only the last leaves the watcher usable.
func (w *watcher) next(ctx context.Context) (ev cluster.Event, ok bool) {
	var timeout <-chan time.Time
	if !w.deadline.IsZero() {
		t := time.NewTimer(time.Until(w.deadline))
		defer t.Stop()
		timeout = t.C
	}
	for w.ch != nil {
		select {
		case ev, open := <-w.ch:
			if open {
				w.rv = ev.Object.GetObjectMeta().ResourceVersion
				return ev, true
			}
			// The engine drops a watcher that falls behind: resume after
			// the last revision seen, after a pause that keeps a failing
			// engine from being asked in a loop.
			if w.ctx.Err() != nil {
				w.Close()
				continue
			}
			select {
			case <-time.After(rewatchPause):
			case <-ctx.Done():
				return ev, false
			}
			if w.rewatch() != nil {
				w.Close()
			}
		case <-ctx.Done():
			return ev, false
		case <-timeout:
			w.Close()
		}
	}
	return ev, false
}

// Close ends the watch.
func (w *watcher) Close() error {
	w.once.Do(func() {
		w.cancel()
		w.ch = nil
	})
	return nil
}

// watchArgs reads a watch's resource and options (arguments 1 and 2).
func (s *State) watchArgs(L *lua.LState, fn string, extra ...string) (api.Kind, cluster.ListOptions, time.Duration, opts) {
	name := L.CheckString(1)
	k, ok := api.KindFor(strings.ToLower(name))
	if !ok {
		k, ok = api.KindFor(name)
	}
	if !ok {
		s.raise(L, reasonBadRequest, "%s: the server doesn't have a resource type %q", fn, name)
	}
	o := s.options(L, 2, fn, append([]string{"namespace", "selector", "fields", "name", "all_namespaces", "timeout"}, extra...)...)
	lo := cluster.ListOptions{LabelSelector: s.selectorString(L, o.get("selector"), fn), FieldSelector: o.str("fields")}
	if n := o.str("name"); n != "" {
		if lo.FieldSelector != "" {
			lo.FieldSelector += ","
		}
		lo.FieldSelector += "metadata.name=" + n
	}
	if k.Namespaced && !o.boolOr("all_namespaces", false) {
		lo.Namespace = o.str("namespace")
		if lo.Namespace == "" {
			lo.Namespace = s.ns
		}
	}
	var timeout time.Duration
	if t, ok := o.num("timeout"); ok {
		timeout = time.Duration(t * float64(time.Second))
	}
	return k, lo, timeout, o
}

// watchStart is watch.start(resource, opts).
func (s *State) watchStart(L *lua.LState) int {
	k, lo, timeout, _ := s.watchArgs(L, "watch.start")
	w, items, err := startWatch(ctxOf(L), s.api(L), k.Resource, lo, true, timeout)
	if err != nil {
		s.raiseErr(L, err)
	}
	s.closers = append(s.closers, w)
	t := L.CreateTable(0, 3)
	t.RawSetString("items", s.pushList(L, items))
	t.RawSetString("next", L.NewFunction(func(L *lua.LState) int {
		return s.pushEvent(L, w)
	}))
	t.RawSetString("close", L.NewFunction(func(L *lua.LState) int {
		w.Close()
		return 0
	}))
	L.Push(t)
	return 1
}

// pushEvent pushes the watcher's next change as type and object, or nil.
func (s *State) pushEvent(L *lua.LState, w *watcher) int {
	ev, ok := w.next(ctxOf(L))
	if !ok {
		if ctxOf(L).Err() != nil {
			s.raiseErr(L, ctxOf(L).Err()) // Ctrl-C ends the run, not just the loop
		}
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(ev.Type))
	L.Push(s.push(L, ev.Object))
	return 2
}

// watchEvents is watch.events(resource, opts): an iterator for a generic
// for loop.
func (s *State) watchEvents(L *lua.LState) int {
	k, lo, timeout, o := s.watchArgs(L, "watch.events", "initial")
	initial := o.boolOr("initial", false)
	w, items, err := startWatch(ctxOf(L), s.api(L), k.Resource, lo, initial, timeout)
	if err != nil {
		s.raiseErr(L, err)
	}
	s.closers = append(s.closers, w)
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if len(items) > 0 {
			obj := items[0]
			items = items[1:]
			L.Push(lua.LString(cluster.Added))
			L.Push(s.push(L, obj))
			return 2
		}
		return s.pushEvent(L, w)
	}))
	return 1
}

// verbio is require("min.verbio"): what the kubectl verbs need beyond the
// DSL and the printers module: printing a watch as kubectl does, edit
// and port-forward. It is no global.
func (s *State) verbioFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"stream":       s.vioStream,
		"watch":        s.vioWatch,
		"edit":         s.vioEdit,
		"port_forward": s.vioPortForward,
	}
}

func (s *State) registerVerbIO() {
	L := s.L
	t := L.SetFuncs(L.NewTable(), s.verbioFuncs())
	preload := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	preload.RawSetString("min.verbio", L.NewFunction(func(L *lua.LState) int {
		L.Push(t)
		return 1
	}))
}

// stream prints objects as `kubectl get --watch` does: tables through
// printers.Stream (the header once, columns that only widen), other
// outputs one object at a time (yaml documents separated by ---).
type stream struct {
	resource string
	output   string
	opts     printers.Options
	table    *printers.Stream
	printed  int
}

func newStream(s *State, resource, output string, po printers.Options) (*stream, error) {
	// Printing nothing checks the output format and options first.
	if err := printers.PrintObjects(&bytes.Buffer{}, resource, nil, output, po, printers.Now()); err != nil {
		return nil, err
	}
	st := &stream{resource: resource, output: output, opts: po}
	if output == "" || output == "wide" {
		po.Wide = po.Wide || output == "wide"
		st.table = printers.NewStream(s.opts.Stdout, po)
	}
	return st, nil
}

func (st *stream) print(s *State, objs []api.Object) error {
	if len(objs) == 0 {
		return nil
	}
	if st.table != nil {
		t, err := printers.TableFor(st.resource, objs, printers.Now())
		if err != nil {
			return err
		}
		return st.table.Print(t)
	}
	var b bytes.Buffer
	po := st.opts
	po.Single = true
	for _, obj := range objs {
		if st.printed > 0 && strings.HasPrefix(st.output, "yaml") {
			b.WriteString("---\n")
		}
		if st.printed > 0 && strings.HasPrefix(st.output, "custom-columns") {
			po.NoHeaders = true
		}
		if err := printers.PrintObjects(&b, st.resource, []api.Object{obj}, st.output, po, printers.Now()); err != nil {
			return err
		}
		st.printed++
	}
	_, err := s.opts.Stdout.Write(b.Bytes())
	return err
}

// streamOptions reads print options (argument n) for printing a watch:
// one object at a time, so kind prefixes, sorting and single-object
// output do not apply.
func (s *State) streamOptions(L *lua.LState, n int, fn string) printers.Options {
	po := s.printOptions(L, n, fn)
	po.WithKind, po.SortBy, po.Single = false, "", false
	return po
}

// vioStream is verbio.stream(resource, output, print options): a printer
// p with p.print(objects), for printing a watch by hand.
func (s *State) vioStream(L *lua.LState) int {
	st, err := newStream(s, L.CheckString(1), L.OptString(2, ""), s.streamOptions(L, 3, "verbio.stream"))
	if err != nil {
		return s.fail(L, err)
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("print", L.NewFunction(func(L *lua.LState) int {
		if err := st.print(s, s.objectsOf(L, 1)); err != nil {
			return s.fail(L, err)
		}
		L.Push(lua.LTrue)
		return 1
	}))
	L.Push(t)
	return 1
}

// vioWatch is verbio.watch(resource, output, print options, {namespace=,
// selector=, fields=, name=, timeout=, watch_only=, detach=}): `kubectl
// get --watch`. It prints the objects (unless watch_only), then one line
// (or document) per change until the timeout or Ctrl-C, and returns
// "done". Ctrl-C ends the run as usual; with detach (the command line) it
// returns "interrupted" instead (see endOfRun).
func (s *State) vioWatch(L *lua.LState) int {
	resource, output := L.CheckString(1), L.OptString(2, "")
	st, err := newStream(s, resource, output, s.streamOptions(L, 3, "verbio.watch"))
	if err != nil {
		return s.fail(L, err)
	}
	o := s.options(L, 4, "verbio.watch", "namespace", "selector", "fields", "name", "timeout", "watch_only", "detach")
	lo := cluster.ListOptions{Namespace: o.str("namespace"), LabelSelector: o.str("selector"), FieldSelector: o.str("fields")}
	if n := o.str("name"); n != "" {
		lo.FieldSelector = strings.TrimPrefix(lo.FieldSelector+",metadata.name="+n, ",")
	}
	var timeout time.Duration
	if t, ok := o.num("timeout"); ok {
		timeout = time.Duration(t * float64(time.Second))
	}
	ctx := ctxOf(L)
	w, items, err := startWatch(ctx, s.api(L), resource, lo, true, timeout)
	if err != nil {
		return s.fail(L, err)
	}
	defer w.Close()
	if !o.boolOr("watch_only", false) {
		if err := st.print(s, items); err != nil {
			return s.fail(L, err)
		}
	}
	for {
		ev, ok := w.next(ctx)
		if !ok {
			break
		}
		if err := st.print(s, []api.Object{ev.Object}); err != nil {
			return s.fail(L, err)
		}
	}
	L.Push(lua.LString(s.endOfRun(L, ctx, o.boolOr("detach", false))))
	return 1
}

// endOfRun says how a blocking verb ended: "done", or after Ctrl-C (ctx,
// the run, cancelled) "interrupted" when detach is set, else it raises
// as every cancelled call does.
//
// kubectl ends get --watch and port-forward on Ctrl-C with its own exit
// code (1 and 0), so minish's command line detaches: the rest of the
// call (the verb returning its exit code) runs under a live context,
// since the VM checks its context before every instruction. Only the
// running thread and the main one are detached (kubectl.main's pcall
// sits between them); State.call puts the run's context back when the
// call ends.
func (s *State) endOfRun(L *lua.LState, ctx context.Context, detach bool) string {
	if ctx.Err() == nil {
		return "done"
	}
	if !detach {
		s.raiseErr(L, ctx.Err())
	}
	L.SetContext(context.Background())
	s.L.SetContext(context.Background())
	return "interrupted"
}
