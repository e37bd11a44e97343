package bindings

import (
	"fmt"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// push converts an API object to a Lua table with its kind's metatable.
// The table fills itself as it is read (lazy.go).
func (s *State) push(L *lua.LState, obj api.Object) *lua.LTable {
	k := s.kindOf[reflect.TypeOf(obj)]
	mt := s.meta[k.Kind]
	if mt != nil {
		if t := s.pushLazy(L, obj, k); t != nil {
			t.Metatable = mt
			return t
		}
	}
	t := s.conv.structValue(L, reflect.ValueOf(obj).Elem())
	if t.RawGetString("apiVersion") == lua.LNil {
		t.RawSetString("apiVersion", lua.LString("v1"))
	}
	if t.RawGetString("kind") == lua.LNil {
		t.RawSetString("kind", lua.LString(k.Kind))
	}
	if mt != nil {
		t.Metatable = mt
	}
	return t
}

// pushList converts objects to a Lua list.
func (s *State) pushList(L *lua.LState, objs []api.Object) *lua.LTable {
	t := L.CreateTable(len(objs), 0)
	for i, o := range objs {
		t.RawSetInt(i+1, s.push(L, o))
	}
	return t
}

// objectMeta builds the metatable of one kind: methods, __tostring, __eq.
func (s *State) objectMeta(L *lua.LState, k api.Kind, methods *lua.LTable) *lua.LTable {
	mt := L.CreateTable(0, 6)
	mt.RawSetString("__index", L.NewFunction(objIndex(methods)))
	mt.RawSetString("__newindex", L.NewFunction(objNewIndex))
	mt.RawSetString("__methods", methods) // for completion
	mt.RawSetString("__name", lua.LString(k.Singular))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(summary(L.CheckTable(1))))
		return 1
	}))
	mt.RawSetString("__eq", L.NewFunction(func(L *lua.LState) int {
		a, b := L.CheckTable(1), L.CheckTable(2)
		same := true
		for _, f := range []string{"kind", "metadata.namespace", "metadata.name", "metadata.uid"} {
			if lua.LVAsString(field(a, f)) != lua.LVAsString(field(b, f)) {
				same = false
			}
		}
		L.Push(lua.LBool(same))
		return 1
	}))
	return mt
}

// field reads a dotted path from nested tables (nil when absent),
// filling a lazy object table's field on the way.
func field(t *lua.LTable, path string) lua.LValue {
	var v lua.LValue = t
	for path != "" {
		var p string
		p, path, _ = strings.Cut(path, ".")
		tt, ok := v.(*lua.LTable)
		if !ok {
			return lua.LNil
		}
		if tt.Metatable != lua.LNil {
			expandField(tt, p)
		}
		v = tt.RawGetString(p)
	}
	return v
}

func fieldStr(t *lua.LTable, path string) string {
	if v, ok := field(t, path).(lua.LString); ok {
		return string(v)
	}
	return ""
}

// summary is an object's one-line form: pod/default/web (Running).
func summary(t *lua.LTable) string {
	kind := fieldStr(t, "kind")
	k, ok := api.KindFor(kind)
	singular := strings.ToLower(kind)
	if ok {
		singular = k.Singular
	}
	id := singular + "/"
	if ns := fieldStr(t, "metadata.namespace"); ns != "" {
		id += ns + "/"
	}
	id += fieldStr(t, "metadata.name")
	if st := status(t, kind); st != "" {
		id += " (" + st + ")"
	}
	return id
}

// status is the short state shown in a summary, as kubectl's STATUS.
func status(t *lua.LTable, kind string) string {
	terminating := field(t, "metadata.deletionTimestamp") != lua.LNil
	switch kind {
	case "Pod":
		phase := fieldStr(t, "status.phase")
		if terminating && phase != "Succeeded" && phase != "Failed" {
			return "Terminating"
		}
		return phase
	case "Namespace":
		return fieldStr(t, "status.phase")
	case "Node":
		st := "Unknown"
		if conds, ok := field(t, "status.conditions").(*lua.LTable); ok {
			conds.ForEach(func(_, c lua.LValue) {
				if ct, ok := c.(*lua.LTable); ok && fieldStr(ct, "type") == "Ready" {
					st = "NotReady"
					if fieldStr(ct, "status") == "True" {
						st = "Ready"
					}
				}
			})
		}
		if lua.LVAsBool(field(t, "spec.unschedulable")) {
			st += ",SchedulingDisabled"
		}
		return st
	case "ReplicationController":
		desired := field(t, "spec.replicas")
		if desired == lua.LNil {
			desired = lua.LNumber(1)
		}
		ready := field(t, "status.readyReplicas")
		if ready == lua.LNil {
			ready = lua.LNumber(0)
		}
		return fmt.Sprintf("%s/%s ready", lua.LVAsString(ready), lua.LVAsString(desired))
	}
	return ""
}

// ref names one object a function acts on.
type ref struct {
	kind     api.Kind
	ns, name string
}

func (r ref) String() string {
	if r.ns == "" {
		return r.kind.Singular + "/" + r.name
	}
	return r.kind.Singular + "/" + r.ns + "/" + r.name
}

// target reads argument n as an object, a name or "kind/name". The
// namespace is, in order: the object's, ns (an explicit option), the
// current one.
func (s *State) target(L *lua.LState, n int, def api.Kind, fn, ns string) ref {
	var r ref
	switch v := L.Get(n).(type) {
	case *lua.LTable:
		k, ok := api.KindFor(fieldStr(v, "kind"))
		if !ok {
			k = def
		}
		r = ref{kind: k, ns: fieldStr(v, "metadata.namespace"), name: fieldStr(v, "metadata.name")}
		if r.name == "" {
			s.argError(L, n, fn, "object without metadata.name")
		}
	case lua.LString:
		r = ref{kind: def, name: string(v)}
		if kind, name, ok := strings.Cut(string(v), "/"); ok {
			k, found := api.KindFor(kind)
			if !found {
				s.raise(L, reasonBadRequest, "%s: the server doesn't have a resource type %q", fn, kind)
			}
			r = ref{kind: k, name: name}
		}
		if r.name == "" {
			s.argError(L, n, fn, "empty name")
		}
	default:
		s.argError(L, n, fn, "object or name expected, got "+L.Get(n).Type().String())
	}
	if r.kind.Kind == "" {
		s.raise(L, reasonBadRequest, "%s: say which kind %q is (\"pod/%s\")", fn, r.name, r.name)
	}
	if !r.kind.Namespaced {
		r.ns = ""
	} else if r.ns == "" {
		r.ns = ns
		if r.ns == "" {
			r.ns = s.ns
		}
	}
	return r
}

// get fetches the object a ref names, raising on any error.
func (s *State) get(L *lua.LState, r ref) api.Object {
	obj, err := s.api(L).Get(ctxOf(L), r.kind.Resource, r.ns, r.name)
	if err != nil {
		s.raiseErr(L, err)
	}
	return obj
}

// kindNamed finds a registered kind, for functions whose module fixes it.
func kindNamed(name string) api.Kind {
	k, _ := api.KindFor(name)
	return k
}
