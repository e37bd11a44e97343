package bindings

import (
	"context"
	"errors"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// createFrom decodes v (a manifest table of kind k) strictly and creates
// it; the created object is pushed.
func (s *State) createFrom(L *lua.LState, k api.Kind, v lua.LValue, fn, ns string) *lua.LTable {
	return s.createObject(L, k, s.toObject(L, v, k, fn), ns)
}

// createObject creates obj (of kind k) in its namespace, else ns, else
// the current one, and pushes the result.
func (s *State) createObject(L *lua.LState, k api.Kind, obj api.Object, ns string) *lua.LTable {
	if k.Namespaced && obj.GetObjectMeta().Namespace == "" {
		if ns == "" {
			ns = s.ns
		}
		obj.GetObjectMeta().Namespace = ns
	}
	out, err := s.api(L).Create(ctxOf(L), obj, cluster.CreateOptions{})
	if err != nil {
		s.raiseErr(L, err)
	}
	return s.push(L, out)
}

// lookup is get() for every module: the object, or nil and a message when
// it does not exist (other errors raise).
func (s *State) lookup(L *lua.LState, k api.Kind, fn string) int {
	o := s.options(L, 2, fn, "namespace")
	r := s.target(L, 1, k, fn, o.str("namespace"))
	obj, err := s.api(L).Get(ctxOf(L), r.kind.Resource, r.ns, r.name)
	if errors.Is(err, api.ErrNotFound) {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.push(L, obj))
	return 1
}

// listOf lists objects of kind k: options namespace, selector, fields,
// all_namespaces.
func (s *State) listOf(L *lua.LState, k api.Kind, n int, fn string) int {
	o := s.options(L, n, fn, "namespace", "selector", "fields", "all_namespaces")
	lo := cluster.ListOptions{
		LabelSelector: s.selectorString(L, o.get("selector"), fn),
		FieldSelector: o.str("fields"),
	}
	if k.Namespaced && !o.boolOr("all_namespaces", false) {
		lo.Namespace = o.str("namespace")
		if lo.Namespace == "" {
			lo.Namespace = s.ns
		}
	}
	list, err := s.api(L).List(ctxOf(L), k.Resource, lo)
	if err != nil {
		s.raiseErr(L, err)
	}
	L.Push(s.pushList(L, list.Items))
	return 1
}

// deleteOptions reads {wait=, grace=, cascade=} for delete functions.
type deleteOpts struct {
	wait    bool
	engine  cluster.DeleteOptions
	timeout time.Duration
}

func (s *State) deleteOptions(L *lua.LState, n int, fn string) deleteOpts {
	o := s.options(L, n, fn, "wait", "grace", "cascade", "timeout")
	d := deleteOpts{wait: o.boolOr("wait", true)}
	if g, ok := o.num("grace"); ok {
		gi := int64(g)
		d.engine.GracePeriodSeconds = &gi
	}
	switch c := o.str("cascade"); c {
	case "", "background":
	case "foreground":
		d.engine.PropagationPolicy = cluster.PropagationForeground
	case "orphan":
		d.engine.PropagationPolicy = cluster.PropagationOrphan
	default:
		s.raise(L, reasonBadRequest, "%s: cascade must be \"background\", \"foreground\" or \"orphan\", got %q", fn, c)
	}
	if t, ok := o.num("timeout"); ok {
		d.timeout = time.Duration(t * float64(time.Second))
	}
	return d
}

// deleteRefs deletes the objects and, unless wait=false, waits until each
// is gone. It returns the deleted names.
func (s *State) deleteRefs(L *lua.LState, refs []ref, d deleteOpts) *lua.LTable {
	api_ := s.api(L)
	ctx := ctxOf(L)
	names := L.CreateTable(len(refs), 0)
	var gone []api.Object
	for _, r := range refs {
		obj, err := api_.Delete(ctx, r.kind.Resource, r.ns, r.name, d.engine)
		if err != nil {
			s.raiseErr(L, err)
		}
		names.Append(lua.LString(r.name))
		gone = append(gone, obj)
	}
	if d.wait && s.plan == nil {
		for i, r := range refs {
			s.waitGone(L, r, gone[i].GetObjectMeta().UID, d.timeout)
		}
	}
	return names
}

// waitGone blocks until the object with uid is gone.
func (s *State) waitGone(L *lua.LState, r ref, uid string, timeout time.Duration) {
	ctx, cancel := withTimeout(ctxOf(L), timeout)
	defer cancel()
	_, err := cluster.WaitFor(ctx, s.api(L), r.kind.Resource, r.ns, r.name, func(o api.Object) bool {
		return o == nil || o.GetObjectMeta().UID != uid
	})
	if err != nil {
		s.raiseErr(L, err)
	}
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// patch applies a JSON merge patch to the object r names and pushes the
// result.
func (s *State) patch(L *lua.LState, r ref, patch []byte) api.Object {
	obj, err := s.api(L).Patch(ctxOf(L), r.kind.Resource, r.ns, r.name, patch, cluster.UpdateOptions{})
	if err != nil {
		s.raiseErr(L, err)
	}
	return obj
}

// refresh re-reads self (argument 1) and replaces its fields in place.
func (s *State) refresh(k api.Kind) lua.LGFunction {
	return func(L *lua.LState) int {
		self := L.CheckTable(1)
		r := s.target(L, 1, k, k.Singular+":refresh", "")
		fresh := s.push(L, s.get(L, r))
		replaceFields(self, fresh)
		L.Push(self)
		return 1
	}
}

// replaceFields makes dst hold exactly src's fields (src is a fresh push,
// pending fields included, and is not used afterwards).
func replaceFields(dst, src *lua.LTable) { moveFields(dst, src) }

// updateSelf pushes the fresh state of obj into the table the caller
// passed (when it passed one), so p:label{} leaves p current.
func (s *State) updateSelf(L *lua.LState, n int, obj api.Object) *lua.LTable {
	fresh := s.push(L, obj)
	if self, ok := L.Get(n).(*lua.LTable); ok && L.GetMetatable(self) != lua.LNil {
		replaceFields(self, fresh)
		return self
	}
	return fresh
}
