package bindings

import (
	"reflect"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// Object tables are filled lazily: push makes a table that holds only its
// Go object, under lazyKey, and each top-level field (metadata, spec,
// status...) becomes a Lua table the first time something reads it. A
// list of 10,000 pods then costs one small table per pod, not thirty.
//
// Nothing but the kind metatable's __index and __newindex sees a table
// half filled: pairs, next, rawget and setmetatable fill it first (the
// wrappers installed by wrapBaseLib), and Go code reads object tables
// through field and expand, which do the same.

// lazyKey is the raw key of a table's pending Go object. Lua code cannot
// make the userdata stored under it, and pairs never shows it.
const lazyKey = "\x00min.lazy"

// lazyObj is the Go side of a lazily filled object table.
type lazyObj struct {
	ud      lua.LUserData // stored under lazyKey; Value points back here
	s       *State
	kind    string // the kind when obj's TypeMeta is empty
	obj     api.Object
	plan    *structPlan
	pending uint64 // bit i set: plan.fields[i] is not in the table yet
}

// pushLazy makes the table of obj with its fields pending, or returns
// nil when the type has too many top-level fields for the bit set.
func (s *State) pushLazy(L *lua.LState, obj api.Object, k api.Kind) *lua.LTable {
	plan := s.conv.plan(reflect.TypeOf(obj).Elem())
	n := len(plan.fields)
	if n > 64 {
		return nil
	}
	lo := &lazyObj{s: s, kind: k.Kind, obj: obj, plan: plan, pending: 1<<n - 1}
	lo.ud.Value = lo
	lo.ud.Metatable = lua.LNil
	lo.ud.Env = L.Env
	t := L.CreateTable(0, n+1)
	t.RawSetString(lazyKey, &lo.ud)
	return t
}

// lazyOf returns the pending state of t, or nil when t is a plain table
// (or fully filled).
func lazyOf(t *lua.LTable) *lazyObj {
	if t.Metatable == lua.LNil {
		return nil
	}
	ud, ok := t.RawGetString(lazyKey).(*lua.LUserData)
	if !ok {
		return nil
	}
	lo, _ := ud.Value.(*lazyObj)
	return lo
}

// fill converts field i of the object into t (when JSON would write it)
// and returns its value.
func (lo *lazyObj) fill(t *lua.LTable, i int) lua.LValue {
	lo.pending &^= 1 << i
	f := &lo.plan.fields[i]
	lv, ok := lua.LValue(lua.LNil), false
	if fv, present := fieldByIndex(reflect.ValueOf(lo.obj).Elem(), f.index); present && !omitted(f, fv) {
		lv, ok = lo.s.conv.value(lo.s.L, fv)
	}
	if !ok { // push's defaults, as the API server's responses carry them
		switch f.name {
		case "apiVersion":
			lv, ok = lua.LString("v1"), true
		case "kind":
			lv, ok = lua.LString(lo.kind), true
		}
	}
	if ok {
		t.RawSetString(f.name, lv)
	}
	if lo.pending == 0 {
		t.RawSetString(lazyKey, lua.LNil)
	}
	return lv
}

// settle marks field name as no longer pending, because Lua code set it.
func (lo *lazyObj) settle(t *lua.LTable, name string) {
	if i, ok := lo.plan.byName[name]; ok {
		lo.pending &^= 1 << i
		if lo.pending == 0 {
			t.RawSetString(lazyKey, lua.LNil)
		}
	}
}

// expand fills every pending field of t; plain tables are left alone.
func expand(t *lua.LTable) {
	lo := lazyOf(t)
	if lo == nil {
		return
	}
	for i := range lo.plan.fields {
		if lo.pending&(1<<i) != 0 {
			lo.fill(t, i)
		}
	}
}

// expandField fills the top-level field name of t if it is pending.
func expandField(t *lua.LTable, name string) {
	lo := lazyOf(t)
	if lo == nil {
		return
	}
	if i, ok := lo.plan.byName[name]; ok && lo.pending&(1<<i) != 0 {
		lo.fill(t, i)
	}
}

// Expand fills an object table the DSL returned, so that Go code can walk
// it with RawGet or ForEach. Lua code never needs it: reading a field,
// pairs and next do it. It does nothing to other values.
func Expand(v lua.LValue) {
	if t, ok := v.(*lua.LTable); ok {
		expand(t)
	}
}

// pristine returns the object behind t when Lua has read nothing of it
// yet, so the table still says exactly what the object says.
func pristine(t *lua.LTable) api.Object {
	lo := lazyOf(t)
	if lo == nil || lo.pending != 1<<len(lo.plan.fields)-1 {
		return nil
	}
	extra := false
	t.ForEach(func(k, _ lua.LValue) {
		if ks, ok := k.(lua.LString); !ok || ks != lazyKey {
			extra = true
		}
	})
	if extra {
		return nil
	}
	return lo.obj
}

// moveFields makes dst hold exactly src's fields, src's pending ones
// included; src must not be used afterwards.
func moveFields(dst, src *lua.LTable) {
	var keys []lua.LValue
	dst.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
	for _, k := range keys {
		dst.RawSet(k, lua.LNil)
	}
	src.ForEach(func(k, v lua.LValue) { dst.RawSet(k, v) })
}

// objIndex is the __index of object tables: a pending field is filled,
// anything else is looked up in the kind's methods.
func objIndex(methods *lua.LTable) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		key := L.Get(2)
		if ks, ok := key.(lua.LString); ok {
			if lo := lazyOf(t); lo != nil {
				if i, ok := lo.plan.byName[string(ks)]; ok && lo.pending&(1<<i) != 0 {
					L.Push(lo.fill(t, i))
					return 1
				}
			}
			L.Push(methods.RawGetString(string(ks)))
			return 1
		}
		L.Push(methods.RawGet(key))
		return 1
	}
}

// objNewIndex is the __newindex of object tables: setting a pending field
// replaces it (nil deletes it), as it would in a plain table.
func objNewIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	key := L.CheckAny(2)
	if ks, ok := key.(lua.LString); ok {
		if lo := lazyOf(t); lo != nil {
			lo.settle(t, string(ks))
		}
	}
	t.RawSet(key, L.Get(3))
	return 0
}

// wrapBaseLib makes pairs, next, rawget and setmetatable fill a lazy
// table before they look at it. Each wrapper runs the original Go
// function in its own frame, so error messages name the same function.
func wrapBaseLib(L *lua.LState) {
	for _, name := range []string{"pairs", "next", "rawget", "setmetatable"} {
		orig, ok := L.GetGlobal(name).(*lua.LFunction)
		if !ok || orig.GFunction == nil {
			continue
		}
		origFn := orig.GFunction
		onlyFirst := name == "next" // next(t, k) fills at the start only
		wrapped := func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok && t.Metatable != lua.LNil {
				if !onlyFirst || L.Get(2) == lua.LNil {
					expand(t)
				}
			}
			return origFn(L)
		}
		upvalues := make([]lua.LValue, len(orig.Upvalues))
		for i, uv := range orig.Upvalues {
			upvalues[i] = uv.Value()
		}
		L.SetGlobal(name, L.NewClosure(wrapped, upvalues...))
	}
}
