package bindings

import (
	"bytes"
	"reflect"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

var podKind = kindNamed("Pod")

func (s *State) podModule() module {
	return module{name: "pod", doc: "Pods: create, read, wait for, delete and talk to them.", funcs: []function{
		{"create", "(manifest | {name=, image=, command=, args=, env=, ports=, labels=, annotations=, namespace=, nodeSelector=, resources=, restartPolicy=})",
			"Creates a pod from a full manifest table (apiVersion/kind/metadata/spec) or from kubectl run's shorthand, and returns it.\nUnknown keys raise an error with the field path and a did-you-mean.", s.podCreate},
		{"get", "(name, {namespace=})", "Returns the pod, or nil and a message when it does not exist.", func(L *lua.LState) int { return s.lookup(L, podKind, "pod.get") }},
		{"list", "{namespace=, selector=, fields=, all_namespaces=}", "Returns the pods of the current namespace (or the given one, or all) that match the label selector (string or {k=v}) and field selector.", func(L *lua.LState) int { return s.listOf(L, podKind, 1, "pod.list") }},
		{"delete", "(target | {selector=, all=true, namespace=}, {wait=true, grace=, timeout=})", "Deletes pods by object, name, \"pod/name\", selector or all=true and returns the deleted names; waits until they are gone unless wait=false.", s.podDelete},
		{"wait", "(target, {phase= | condition=, timeout=})", "Blocks until the pod reaches the phase (Running, Succeeded...) or has the condition (Ready...) True; returns the pod. Raises Timeout.", s.podWait},
		{"exec", "(target, argv, {container=, stdin=})", "Runs argv in a container of the pod; returns stdout, stderr and the exit code.", s.podExec},
		{"port_forward", "(target, \"8888:8080\")", "Forwards a local port (0 or empty: any free one) to a pod port; returns a handle with local_port and :close().", s.podPortForward},
	}}
}

func (s *State) podMethods() methods {
	return methods{kind: "Pod", funcs: []function{
		{"delete", "({wait=true, grace=})", "Deletes the pod (see pod.delete).", s.podDelete},
		{"refresh", "()", "Re-reads the pod in place and returns it.", s.refresh(podKind)},
		{"wait", "{phase= | condition=, timeout=}", "Waits for the pod (see pod.wait) and refreshes it.", s.podWait},
		{"logs", "{container=, tail=, since=, timestamps=, previous=}", "Returns the container's log (see log.read).", s.logRead},
		{"exec", "(argv, {container=, stdin=})", "Runs a command in the pod (see pod.exec).", s.podExec},
		{"port_forward", "(\"8888:8080\")", "Forwards a local port to the pod (see pod.port_forward).", s.podPortForward},
		{"label", "({k=v}, {overwrite=false})", "Sets labels (see label.set).", s.labelSet("label")},
		{"annotate", "({k=v}, {overwrite=false})", "Sets annotations (see annotation.set).", s.labelSet("annotation")},
		{"yaml", "()", "The pod as YAML.", s.dumpAs("yaml")},
		{"json", "()", "The pod as JSON.", s.dumpAs("json")},
	}}
}

func (s *State) podCreate(L *lua.LState) int {
	t := L.CheckTable(1)
	if !isShorthand(t) {
		L.Push(s.createFrom(L, podKind, t, "pod.create", ""))
		return 1
	}
	if p, ok := s.shorthandPod(L, t); ok {
		L.Push(s.createObject(L, podKind, p, ""))
		return 1
	}
	L.Push(s.createFrom(L, podKind, s.podShorthand(L, t), "pod.create", ""))
	return 1
}

// shorthandPod is podShorthand straight into Go: each option is decoded
// into its field as the manifest podShorthand builds would decode. It
// reports false when an option does not decode, and podShorthand's
// manifest then goes through toObject, which says what is wrong.
func (s *State) shorthandPod(L *lua.LState, t *lua.LTable) (*api.Pod, bool) {
	s.checkKeys(L, t, "pod.create", shorthandKeys)
	p := &api.Pod{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Pod"}, Spec: api.PodSpec{Containers: make([]api.Container, 1)}}
	c := &p.Spec.Containers[0]
	c.Name = fieldStr(t, "name")
	fields := []struct {
		key string
		dst any
		fix func(*lua.LState, lua.LValue) lua.LValue
	}{
		{"name", &p.Name, nil}, {"namespace", &p.Namespace, nil}, {"labels", &p.Labels, nil},
		{"annotations", &p.Annotations, nil}, {"image", &c.Image, nil}, {"resources", &c.Resources, nil},
		{"command", &c.Command, stringList}, {"args", &c.Args, stringList}, {"env", &c.Env, envList},
		{"ports", &c.Ports, portList}, {"nodeSelector", &p.Spec.NodeSelector, nil},
		{"restartPolicy", &p.Spec.RestartPolicy, nil},
	}
	for _, f := range fields {
		v := t.RawGetString(f.key)
		if v == lua.LNil {
			continue
		}
		if f.fix != nil {
			v = f.fix(L, v)
		}
		if !s.conv.fromLua(reflect.ValueOf(f.dst).Elem(), v, 1) {
			return nil, false
		}
	}
	return p, true
}

// isShorthand tells kubectl-run tables from manifests: a manifest has
// apiVersion, kind, metadata or spec.
func isShorthand(t *lua.LTable) bool {
	if lazyOf(t) != nil { // an object table the DSL returned
		return false
	}
	for _, k := range []string{"apiVersion", "kind", "metadata", "spec"} {
		if t.RawGetString(k) != lua.LNil {
			return false
		}
	}
	return true
}

var shorthandKeys = []string{"name", "image", "command", "args", "env", "ports", "labels", "annotations",
	"namespace", "nodeSelector", "resources", "restartPolicy"}

// podShorthand builds a pod manifest table from kubectl run's options.
func (s *State) podShorthand(L *lua.LState, t *lua.LTable) *lua.LTable {
	s.checkKeys(L, t, "pod.create", shorthandKeys)
	name := fieldStr(t, "name")
	c := L.CreateTable(0, 4)
	c.RawSetString("name", lua.LString(name))
	for _, k := range []string{"image", "resources"} {
		if v := t.RawGetString(k); v != lua.LNil {
			c.RawSetString(k, v)
		}
	}
	for _, k := range []string{"command", "args"} {
		if v := t.RawGetString(k); v != lua.LNil {
			c.RawSetString(k, stringList(L, v))
		}
	}
	if v := t.RawGetString("env"); v != lua.LNil {
		c.RawSetString("env", envList(L, v))
	}
	if v := t.RawGetString("ports"); v != lua.LNil {
		c.RawSetString("ports", portList(L, v))
	}
	meta := L.CreateTable(0, 4)
	for _, k := range []string{"name", "namespace", "labels", "annotations"} {
		if v := t.RawGetString(k); v != lua.LNil {
			meta.RawSetString(k, v)
		}
	}
	spec := L.CreateTable(0, 4)
	spec.RawSetString("containers", listOf(L, c))
	for _, k := range []string{"nodeSelector", "restartPolicy"} {
		if v := t.RawGetString(k); v != lua.LNil {
			spec.RawSetString(k, v)
		}
	}
	m := L.CreateTable(0, 4)
	m.RawSetString("apiVersion", lua.LString("v1"))
	m.RawSetString("kind", lua.LString("Pod"))
	m.RawSetString("metadata", meta)
	m.RawSetString("spec", spec)
	return m
}

// checkKeys raises on a key of t that is not in allowed.
func (s *State) checkKeys(L *lua.LState, t *lua.LTable, fn string, allowed []string) {
	t.ForEach(func(k, _ lua.LValue) {
		ks := lua.LVAsString(k)
		if !contains(allowed, ks) {
			s.raise(L, api.ReasonBadRequest, "%s: unknown field %q%s", fn, ks, didYouMean(ks, allowed))
		}
	})
}

func listOf(L *lua.LState, vs ...lua.LValue) *lua.LTable {
	t := L.CreateTable(len(vs), 0)
	for _, v := range vs {
		t.Append(v)
	}
	return t
}

// stringList accepts "sh -c x" (split on blanks) or a list.
func stringList(L *lua.LState, v lua.LValue) lua.LValue {
	if s, ok := v.(lua.LString); ok {
		out := L.CreateTable(4, 0)
		for _, f := range strings.Fields(string(s)) {
			out.Append(lua.LString(f))
		}
		return out
	}
	return v
}

// envList accepts {K="v"} or a list of {name=, value=}.
func envList(L *lua.LState, v lua.LValue) lua.LValue {
	t, ok := v.(*lua.LTable)
	if !ok || t.Len() > 0 {
		return v
	}
	var keys []string
	t.ForEach(func(k, _ lua.LValue) { keys = append(keys, lua.LVAsString(k)) })
	sortStrings(keys)
	out := L.CreateTable(len(keys), 0)
	for _, k := range keys {
		e := L.CreateTable(0, 4)
		e.RawSetString("name", lua.LString(k))
		e.RawSetString("value", lua.LString(lua.LVAsString(t.RawGetString(k))))
		out.Append(e)
	}
	return out
}

// portList accepts 8080, {8080, 8443} or a list of {containerPort=}.
func portList(L *lua.LState, v lua.LValue) lua.LValue {
	port := func(p lua.LValue) lua.LValue {
		if n, ok := p.(lua.LNumber); ok {
			e := L.CreateTable(0, 4)
			e.RawSetString("containerPort", n)
			return e
		}
		return p
	}
	if t, ok := v.(*lua.LTable); ok {
		out := L.CreateTable(t.Len(), 0)
		for i := 1; i <= t.Len(); i++ {
			out.Append(port(t.RawGetInt(i)))
		}
		return out
	}
	return listOf(L, port(v))
}

func (s *State) podDelete(L *lua.LState) int {
	const fn = "pod.delete"
	var refs []ref
	if t, ok := L.Get(1).(*lua.LTable); ok && L.GetMetatable(t) == lua.LNil {
		refs = s.selectRefs(L, podKind, t, fn)
	} else {
		refs = []ref{s.target(L, 1, podKind, fn, "")}
	}
	L.Push(s.deleteRefs(L, refs, s.deleteOptions(L, 2, fn)))
	return 1
}

// selectRefs reads {selector=, all=true, namespace=} into the refs it
// names; deleting everything needs all=true, as kubectl's --all.
func (s *State) selectRefs(L *lua.LState, k api.Kind, t *lua.LTable, fn string) []ref {
	s.checkKeys(L, t, fn, []string{"selector", "all", "namespace", "fields"})
	sel := s.selectorString(L, t.RawGetString("selector"), fn)
	fields := lua.LVAsString(t.RawGetString("fields"))
	if t.RawGetString("fields") == lua.LNil {
		fields = ""
	}
	if sel == "" && fields == "" && !lua.LVAsBool(t.RawGetString("all")) {
		s.raise(L, reasonBadRequest, "%s: resource(s) were provided, but no name was specified: give a selector= or all=true", fn)
	}
	ns := fieldStr(t, "namespace")
	if ns == "" {
		ns = s.ns
	}
	list, err := s.api(L).List(ctxOf(L), k.Resource, cluster.ListOptions{Namespace: ns, LabelSelector: sel, FieldSelector: fields})
	if err != nil {
		s.raiseErr(L, err)
	}
	refs := make([]ref, 0, len(list.Items))
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		refs = append(refs, ref{kind: k, ns: m.Namespace, name: m.Name})
	}
	return refs
}

func (s *State) podWait(L *lua.LState) int {
	const fn = "pod.wait"
	o := s.options(L, 2, fn, "phase", "condition", "timeout", "namespace")
	r := s.target(L, 1, podKind, fn, o.str("namespace"))
	phase, cond := o.str("phase"), o.str("condition")
	if phase == "" && cond == "" {
		s.raise(L, reasonBadRequest, "%s: give phase= or condition=", fn)
	}
	timeout := time.Duration(0)
	if t, ok := o.num("timeout"); ok {
		timeout = time.Duration(t * float64(time.Second))
	}
	if s.plan != nil { // a dry run's waits succeed at once
		L.Push(s.updateSelf(L, 1, s.get(L, r)))
		return 1
	}
	ctx, cancel := withTimeout(ctxOf(L), timeout)
	defer cancel()
	var final api.Object
	_, err := cluster.WaitFor(ctx, s.api(L), r.kind.Resource, r.ns, r.name, func(obj api.Object) bool {
		if obj == nil {
			return true
		}
		final = obj
		return podReached(obj.(*api.Pod), phase, cond)
	})
	if err == nil && final == nil {
		err = api.NewNotFound("pods", r.name)
	}
	if err == nil && !podReached(final.(*api.Pod), phase, cond) {
		err = api.NewNotFound("pods", r.name)
	}
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.updateSelf(L, 1, final))
	return 1
}

func podReached(p *api.Pod, phase, cond string) bool {
	if phase != "" && p.Status.Phase != phase {
		return false
	}
	if cond != "" {
		for _, c := range p.Status.Conditions {
			if strings.EqualFold(c.Type, cond) {
				return c.Status == "True"
			}
		}
		return false
	}
	return true
}

func (s *State) podExec(L *lua.LState) int {
	const fn = "pod.exec"
	argv := L.Get(2)
	if _, ok := argv.(*lua.LTable); !ok {
		if _, ok := argv.(lua.LString); !ok {
			s.argError(L, 2, fn, "argv (a list or a string) expected, got "+argv.Type().String())
		}
	}
	o := s.options(L, 3, fn, "container", "stdin", "namespace")
	r := s.target(L, 1, podKind, fn, o.str("namespace"))
	var cmd []string
	lst := stringList(L, argv).(*lua.LTable)
	for i := 1; i <= lst.Len(); i++ {
		cmd = append(cmd, lua.LVAsString(lst.RawGetInt(i)))
	}
	var stdout, stderr bytes.Buffer
	eo := cluster.ExecOptions{Container: o.str("container"), Command: cmd, Stdout: &stdout, Stderr: &stderr}
	if in, ok := o.get("stdin").(lua.LString); ok {
		eo.Stdin = strings.NewReader(string(in))
	}
	code, err := s.api(L).Exec(ctxOf(L), r.ns, r.name, eo)
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(lua.LString(stdout.String()))
	L.Push(lua.LString(stderr.String()))
	L.Push(lua.LNumber(code))
	return 3
}
