package bindings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chzyer/readline"
	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/manifest"
	"github.com/minspace/min/engine/printers"
)

// The printers module is the Go half of stdlib's kubectl verbs
// (require("min.printers")): engine/printers' rendering, plus the few
// operations the verbs need results for that the DSL does not expose
// (label/annotate outcomes, per-object create results, error causes).
//
// Object lists cross as handles (userdata holding []api.Object) so that
// `get pods -A` on 100,000 pods never builds 100,000 Lua tables; object
// tables work wherever a handle does. Failures return nil and an error
// table {reason=, message=, kind=, name=, causes={{field=, message=}}} so
// that the verbs can print them as kubectl does.

// objList is the value of a handle.
type objList struct {
	objs []api.Object
}

// registerPrinters makes require("min.printers") load the module (it is no
// global: scripts reach it through min.kubectl).
func (s *State) registerPrinters() {
	L := s.L
	t := L.SetFuncs(L.NewTable(), s.printersFuncs())
	preload := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	preload.RawSetString("min.printers", L.NewFunction(func(L *lua.LState) int {
		L.Push(t)
		return 1
	}))
}

func (s *State) printersFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"now":               s.prNow,
		"out":               s.prWrite(false),
		"err":               s.prWrite(true),
		"resource":          prResource,
		"list":              s.prList,
		"fetch":             s.prFetch,
		"count":             s.prCount,
		"names":             s.prNames,
		"objects":           s.prObjects,
		"print":             s.prPrint,
		"table":             s.prTable,
		"describe":          s.prDescribe,
		"no_resources":      prNoResources,
		"read":              s.prRead,
		"apply":             s.prApply,
		"delete":            s.prDelete,
		"meta":              s.prMeta,
		"scale":             s.prScale,
		"logs":              s.prLogs,
		"exec":              s.prExec,
		"explain":           s.prExplain,
		"home":              prHome,
		"read_state":        s.prReadState,
		"context_namespace": prContextNamespace,
		"write_state":       s.prWriteState,
	}
}

func (s *State) prNow(L *lua.LState) int {
	L.Push(lua.LString(printers.Now().UTC().Format(time.RFC3339)))
	return 1
}

func (s *State) prWrite(stderr bool) lua.LGFunction {
	return func(L *lua.LState) int {
		w := s.opts.Stdout
		if stderr {
			w = s.opts.Stderr
		}
		io.WriteString(w, L.CheckString(1))
		return 0
	}
}

// prResource resolves a type name as kubectl does ("po", "pods", "Pod").
func prResource(L *lua.LState) int {
	k, ok := ResourceKind(L.CheckString(1))
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	t := L.NewTable()
	t.RawSetString("kind", lua.LString(k.Kind))
	t.RawSetString("resource", lua.LString(k.Resource))
	t.RawSetString("singular", lua.LString(k.Singular))
	t.RawSetString("namespaced", lua.LBool(k.Namespaced))
	L.Push(t)
	return 1
}

// fail pushes nil and err as an error table; it returns 2 for the caller.
func (s *State) fail(L *lua.LState, err error) int {
	if ctxOf(L).Err() != nil {
		s.raiseErr(L, err) // Ctrl-C ends the run, it is no verb failure
	}
	t := L.NewTable()
	reason, msg := api.ReasonOf(err), err.Error()
	if reason == "" && errors.Is(err, api.ErrBadRequest) {
		reason = api.ReasonBadRequest // a manifest the server would refuse (400)
	}
	t.RawSetString("reason", lua.LString(reason))
	t.RawSetString("message", lua.LString(msg))
	var se *api.StatusError
	if errors.As(err, &se) && se.Details != nil {
		t.RawSetString("kind", lua.LString(se.Details.Kind))
		t.RawSetString("name", lua.LString(se.Details.Name))
		causes := L.NewTable()
		for _, c := range se.Details.Causes {
			ct := L.NewTable()
			ct.RawSetString("field", lua.LString(c.Field))
			ct.RawSetString("message", lua.LString(c.Message))
			causes.Append(ct)
		}
		t.RawSetString("causes", causes)
	}
	L.Push(lua.LNil)
	L.Push(t)
	return 2
}

func (s *State) pushHandle(L *lua.LState, objs []api.Object) {
	ud := L.NewUserData()
	ud.Value = &objList{objs: objs}
	L.Push(ud)
}

// prList is printers.list(resource, namespace, label_selector, field_selector).
func (s *State) prList(L *lua.LState) int {
	list, err := s.api(L).List(ctxOf(L), L.CheckString(1), cluster.ListOptions{
		Namespace: L.OptString(2, ""), LabelSelector: L.OptString(3, ""), FieldSelector: L.OptString(4, "")})
	if err != nil {
		return s.fail(L, err)
	}
	s.pushHandle(L, list.Items)
	return 1
}

// prFetch is printers.fetch(resource, namespace, name): a handle of one.
func (s *State) prFetch(L *lua.LState) int {
	obj, err := s.api(L).Get(ctxOf(L), L.CheckString(1), L.CheckString(2), L.CheckString(3))
	if err != nil {
		return s.fail(L, err)
	}
	s.pushHandle(L, []api.Object{obj})
	return 1
}

// objectsOf reads argument n: a handle, an object table, or a list of
// handles and object tables.
func (s *State) objectsOf(L *lua.LState, n int) []api.Object {
	var out []api.Object
	var add func(v lua.LValue)
	add = func(v lua.LValue) {
		switch x := v.(type) {
		case *lua.LUserData:
			if l, ok := x.Value.(*objList); ok {
				out = append(out, l.objs...)
				return
			}
		case *lua.LTable:
			if lazyOf(x) != nil || x.RawGetString("kind") != lua.LNil || x.RawGetString("metadata") != lua.LNil {
				out = append(out, s.tableObject(L, x, "printers"))
				return
			}
			for i := 1; i <= x.Len(); i++ {
				add(x.RawGetInt(i))
			}
			return
		}
		s.argError(L, n, "printers", "objects expected, got "+v.Type().String())
	}
	add(L.Get(n))
	return out
}

func (s *State) prCount(L *lua.LState) int {
	L.Push(lua.LNumber(len(s.objectsOf(L, 1))))
	return 1
}

// prNames lists {kind=, resource=, namespace=, name=} of the objects.
func (s *State) prNames(L *lua.LState) int {
	objs := s.objectsOf(L, 1)
	t := L.CreateTable(len(objs), 0)
	for _, o := range objs {
		k, _ := api.KindOf(o)
		m := o.GetObjectMeta()
		e := L.CreateTable(0, 4)
		e.RawSetString("kind", lua.LString(k.Kind))
		e.RawSetString("resource", lua.LString(k.Resource))
		e.RawSetString("namespace", lua.LString(m.Namespace))
		e.RawSetString("name", lua.LString(m.Name))
		t.Append(e)
	}
	L.Push(t)
	return 1
}

func (s *State) prObjects(L *lua.LState) int {
	L.Push(s.pushList(L, s.objectsOf(L, 1)))
	return 1
}

// prPrint is printers.print(resource, objects, output, opts): kubectl get's
// output as a string. opts: wide, show_labels, label_columns={...},
// all_namespaces, no_headers, with_kind, sort_by, single.
func (s *State) prPrint(L *lua.LState) int {
	objs := s.objectsOf(L, 2)
	po := s.printOptions(L, 4, "printers.print")
	var b bytes.Buffer
	if err := printers.PrintObjects(&b, L.CheckString(1), objs, L.OptString(3, ""), po, printers.Now()); err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// printOptions reads argument n, get's output options.
func (s *State) printOptions(L *lua.LState, n int, fn string) printers.Options {
	o := s.options(L, n, fn, "wide", "show_labels", "label_columns", "all_namespaces",
		"no_headers", "with_kind", "sort_by", "single")
	po := printers.Options{Wide: o.boolOr("wide", false), ShowLabels: o.boolOr("show_labels", false),
		WithNamespace: o.boolOr("all_namespaces", false), NoHeaders: o.boolOr("no_headers", false),
		WithKind: o.boolOr("with_kind", false), SortBy: o.str("sort_by"), Single: o.boolOr("single", false)}
	if lc, ok := o.get("label_columns").(*lua.LTable); ok {
		for i := 1; i <= lc.Len(); i++ {
			po.LabelColumns = append(po.LabelColumns, lua.LVAsString(lc.RawGetInt(i)))
		}
	}
	return po
}

// prTable is printers.table(resource, namespace, selector, fields, opts):
// get's table output (default or wide, sort_by unset) of a list, as text,
// and the number of rows. Through the daemon the engine computes the rows
// (a server-side Table, as kubectl asks for), so a long list costs the
// client its rows only; in-process they are computed here.
func (s *State) prTable(L *lua.LState) int {
	resource := L.CheckString(1)
	lo := cluster.ListOptions{Namespace: L.OptString(2, ""), LabelSelector: L.OptString(3, ""), FieldSelector: L.OptString(4, "")}
	po := s.printOptions(L, 5, "printers.table")
	if po.SortBy != "" {
		L.ArgError(5, "sort_by needs the objects: use printers.list and printers.print")
	}
	text, n, err := GetTable(ctxOf(L), s.api(L), resource, lo, po)
	if err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LString(text))
	L.Push(lua.LNumber(n))
	return 2
}

// prDescribe is kubectl describe of one object, with the events of its
// namespace and (nodes, replication controllers) the pods it needs.
func (s *State) prDescribe(L *lua.LState) int {
	objs := s.objectsOf(L, 1)
	var b bytes.Buffer
	for i, obj := range objs {
		rel, err := s.related(L, obj)
		if err != nil {
			return s.fail(L, err)
		}
		if i > 0 {
			b.WriteString("\n\n")
		}
		if err := printers.DescribeWith(&b, obj, rel, printers.Now()); err != nil {
			return s.fail(L, err)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func (s *State) related(L *lua.LState, obj api.Object) (printers.Related, error) {
	var rel printers.Related
	eng, ctx := s.api(L), ctxOf(L)
	evs, err := eng.List(ctx, "events", cluster.ListOptions{Namespace: obj.GetObjectMeta().Namespace})
	if err != nil {
		return rel, err
	}
	for _, e := range evs.Items {
		if ev, ok := e.(*api.Event); ok {
			rel.Events = append(rel.Events, ev)
		}
	}
	switch obj.(type) {
	case *api.Node, *api.ReplicationController:
		pods, err := eng.List(ctx, "pods", cluster.ListOptions{Namespace: obj.GetObjectMeta().Namespace})
		if err != nil {
			return rel, err
		}
		for _, p := range pods.Items {
			rel.Pods = append(rel.Pods, p.(*api.Pod))
		}
	}
	return rel, nil
}

func prNoResources(L *lua.LState) int {
	L.Push(lua.LString(printers.NoResources(L.OptString(1, "default"), L.ToBool(2))))
	return 1
}

func prHome(L *lua.LState) int {
	L.Push(lua.LString(cluster.DefaultHome()))
	return 1
}

// prRead is printers.read(path): {{name=, data=}...} for a file, the
// .yaml/.yml/.json files of a folder (sorted, not recursive, as kubectl),
// or standard input for "-".
func (s *State) prRead(L *lua.LState) int {
	path := L.CheckString(1)
	out := L.NewTable()
	add := func(name string, data []byte) {
		e := L.NewTable()
		e.RawSetString("name", lua.LString(name))
		e.RawSetString("data", lua.LString(data))
		out.Append(e)
	}
	if path == "-" {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return s.fail(L, err)
		}
		add("STDIN", data)
		L.Push(out)
		return 1
	}
	files, err := manifestFiles(path)
	if err != nil {
		return s.fail(L, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return s.fail(L, err)
		}
		add(f, data)
	}
	L.Push(out)
	return 1
}

func manifestFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("the path %q does not exist", path)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		switch filepath.Ext(e.Name()) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				out = append(out, filepath.Join(path, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// prApply is printers.apply(data, source, namespace, update): decodes the
// manifests and creates (or, with update, creates or updates) each one,
// returning one result per object: {kind=, name=, namespace=, op=} or
// {err=}. op is "created", "configured" or "unchanged". A decoding error
// returns nil and the error.
func (s *State) prApply(L *lua.LState) int {
	objs, err := manifest.Decode([]byte(L.CheckString(1)))
	if err != nil {
		var syn *manifest.SyntaxError
		if errors.As(err, &syn) {
			err = fmt.Errorf("error parsing %s: %w", L.CheckString(2), err)
		}
		return s.fail(L, err)
	}
	ns, update := L.OptString(3, ""), L.ToBool(4)
	out := L.CreateTable(len(objs), 0)
	for _, obj := range objs {
		k, _ := api.KindOf(obj)
		op := "created"
		if update {
			op = s.applyOp(L, k, obj, ns)
		}
		res, err := s.createOrUpdate(L, obj, ns, update && op != "created")
		e := L.NewTable()
		if err != nil {
			s.fail(L, err)
			e.RawSetString("err", L.Get(-1))
			L.Pop(2)
		} else {
			m := res.GetObjectMeta()
			e.RawSetString("kind", lua.LString(k.Kind))
			e.RawSetString("name", lua.LString(m.Name))
			e.RawSetString("namespace", lua.LString(m.Namespace))
			e.RawSetString("op", lua.LString(op))
		}
		out.Append(e)
	}
	L.Push(out)
	return 1
}

// applyOp says what apply will do: "created" when the object is new,
// "configured" when it exists.
func (s *State) applyOp(L *lua.LState, k api.Kind, obj api.Object, ns string) string {
	m := obj.GetObjectMeta()
	if m.Name == "" {
		return "created"
	}
	if k.Namespaced && m.Namespace == "" {
		m.Namespace = ns
		if m.Namespace == "" {
			m.Namespace = s.ns
		}
	}
	if _, err := s.api(L).Get(ctxOf(L), k.Resource, m.Namespace, m.Name); err != nil {
		return "created"
	}
	return "configured"
}

// prDelete is printers.delete(resource, namespace, name, {grace=, wait=,
// timeout=}): starts the deletion and, with wait, blocks until the object
// is gone.
func (s *State) prDelete(L *lua.LState) int {
	resource, ns, name := L.CheckString(1), L.CheckString(2), L.CheckString(3)
	o := s.options(L, 4, "printers.delete", "grace", "wait", "timeout")
	var do cluster.DeleteOptions
	if g, ok := o.num("grace"); ok {
		gi := int64(g)
		do.GracePeriodSeconds = &gi
	}
	eng, ctx := s.api(L), ctxOf(L)
	obj, err := eng.Delete(ctx, resource, ns, name, do)
	if err != nil {
		return s.fail(L, err)
	}
	if o.boolOr("wait", true) {
		d := time.Duration(0)
		if t, ok := o.num("timeout"); ok {
			d = time.Duration(t * float64(time.Second))
		}
		wctx, cancel := withTimeout(ctx, d)
		defer cancel()
		uid := obj.GetObjectMeta().UID
		if _, err := cluster.WaitFor(wctx, eng, resource, ns, name, func(o api.Object) bool {
			return o == nil || o.GetObjectMeta().UID != uid
		}); err != nil {
			return s.fail(L, err)
		}
	}
	L.Push(lua.LTrue)
	return 1
}

// prMeta is printers.meta("label"|"annotate", resource, namespace, name,
// {k=v}, {keys to remove}, overwrite): returns changed and the list of
// removed keys that were missing.
func (s *State) prMeta(L *lua.LState) int {
	ch := cluster.MetaChange{Set: s.stringMap(L, L.Get(5), "printers.meta", "labels"), Overwrite: L.ToBool(7)}
	if rm, ok := L.Get(6).(*lua.LTable); ok {
		for i := 1; i <= rm.Len(); i++ {
			ch.Remove = append(ch.Remove, lua.LVAsString(rm.RawGetInt(i)))
		}
	}
	change := cluster.Label
	if L.CheckString(1) == "annotate" {
		change = cluster.Annotate
	}
	res, err := change(ctxOf(L), s.api(L), L.CheckString(2), L.CheckString(3), L.CheckString(4), ch)
	if err != nil {
		return s.fail(L, err)
	}
	missing := L.NewTable()
	for _, k := range res.Missing {
		missing.Append(lua.LString(k))
	}
	L.Push(lua.LBool(res.Changed))
	L.Push(missing)
	return 2
}

// prScale is printers.scale(namespace, name, replicas) for an RC.
func (s *State) prScale(L *lua.LState) int {
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, L.CheckInt(3))
	if _, err := s.api(L).Patch(ctxOf(L), "replicationcontrollers", L.CheckString(1), L.CheckString(2),
		[]byte(patch), cluster.UpdateOptions{}); err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// prLogs is printers.logs(namespace, pod, {container=, follow=, tail=,
// since=, timestamps=, previous=}): writes the log to stdout.
func (s *State) prLogs(L *lua.LState) int {
	o := s.options(L, 3, "printers.logs", "container", "follow", "tail", "since", "timestamps", "previous")
	lo := cluster.LogOptions{Container: o.str("container"), Follow: o.boolOr("follow", false),
		Timestamps: o.boolOr("timestamps", false), Previous: o.boolOr("previous", false)}
	if t, ok := o.num("tail"); ok && t >= 0 {
		n := int64(t)
		lo.TailLines = &n
	}
	if t, ok := o.num("since"); ok {
		n := int64(t)
		lo.SinceSeconds = &n
	}
	if err := s.api(L).Logs(ctxOf(L), L.CheckString(1), L.CheckString(2), lo, s.opts.Stdout); err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// prExec is printers.exec(namespace, pod, argv, {container=, stdin=,
// tty=}): runs argv with the process's streams and returns its exit code.
func (s *State) prExec(L *lua.LState) int {
	o := s.options(L, 4, "printers.exec", "container", "stdin", "tty")
	var argv []string
	lst := L.CheckTable(3)
	for i := 1; i <= lst.Len(); i++ {
		argv = append(argv, lua.LVAsString(lst.RawGetInt(i)))
	}
	eo := cluster.ExecOptions{Container: o.str("container"), Command: argv, Stdout: s.opts.Stdout,
		Stderr: s.opts.Stderr}
	// kubectl's SetupTTY: a terminal only with stdin, and only when stdin
	// is one; then it is raw and its sizes follow the window.
	if o.boolOr("stdin", false) {
		eo.Stdin = os.Stdin
		if o.boolOr("tty", false) {
			if !readline.IsTerminal(int(os.Stdin.Fd())) {
				fmt.Fprintln(s.opts.Stderr, ttyUnusable)
			} else if restore, sizes, err := rawTerminal(); err == nil {
				defer restore()
				eo.TTY, eo.Resize = true, sizes
			}
		}
	}
	code, err := s.api(L).Exec(ctxOf(L), L.CheckString(1), L.CheckString(2), eo)
	if err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LNumber(code))
	return 1
}

func (s *State) prExplain(L *lua.LState) int {
	text, err := explainText(L.CheckString(1))
	if err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LString(text))
	return 1
}

// stateFile is a file of the state directory the verbs keep their own
// settings in (the kubectl config's current namespace).
func stateFile(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("%w: bad state file name %q", api.ErrBadRequest, name)
	}
	return filepath.Join(cluster.DefaultHome(), name), nil
}

// prContextNamespace is printers.context_namespace(): the namespace of
// minish's kubectl context, or nil.
func prContextNamespace(L *lua.LState) int {
	if ns := ContextNamespace(cluster.DefaultHome()); ns != "" {
		L.Push(lua.LString(ns))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

// prReadState is printers.read_state(name): the file's text, or nil.
func (s *State) prReadState(L *lua.LState) int {
	p, err := stateFile(L.CheckString(1))
	if err != nil {
		return s.fail(L, err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(data))
	return 1
}

// prWriteState is printers.write_state(name, text).
func (s *State) prWriteState(L *lua.LState) int {
	p, err := stateFile(L.CheckString(1))
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			err = os.WriteFile(p, []byte(L.CheckString(2)), 0o600)
		}
	}
	if err != nil {
		return s.fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// Kubectl runs argv (a verb and its arguments, as after `minish`) through
// stdlib's kubectl.main and returns the exit code kubectl would give. err
// is set only when the Lua side itself failed.
func (s *State) Kubectl(ctx context.Context, argv []string) (int, error) {
	fn, err := luavm.Load(s.L, `return require("min.kubectl").main({...})`, "minish")
	if err != nil {
		return 1, err
	}
	args := make([]lua.LValue, len(argv))
	for i, a := range argv {
		args[i] = lua.LString(a)
	}
	out, err := s.call(ctx, fn, args, 1)
	if err != nil {
		return 1, err
	}
	if n, ok := out[0].(lua.LNumber); ok {
		return int(n), nil
	}
	return 1, fmt.Errorf("kubectl.main returned %s, not an exit code", out[0].Type())
}
