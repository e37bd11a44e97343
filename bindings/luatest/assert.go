package luatest

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/luavm"
)

// Open installs the global assert module (also require("min.assert")) in
// s; failures call t.Errorf with the script's position.
func Open(s *bindings.State, t testing.TB) {
	a := &asserter{t: t}
	mod := s.Register("assert", map[string]lua.LGFunction{
		"eq":       a.eq,
		"ne":       a.ne,
		"is_true":  a.isTrue,
		"is_false": a.isFalse,
		"fails":    a.fails,
		"contains": a.contains,
		"fail":     a.fail,
	})
	// assert(v, msg) still works as Lua's own assert.
	mt := s.L.NewTable()
	mt.RawSetString("__call", s.L.NewFunction(func(L *lua.LState) int {
		v := L.Get(2)
		if !lua.LVAsBool(v) {
			msg := L.OptString(3, "assertion failed!")
			L.RaiseError("%s", msg)
		}
		n := L.GetTop()
		for i := 2; i <= n; i++ {
			L.Push(L.Get(i))
		}
		return n - 1
	}))
	s.L.SetMetatable(mod, mt)
}

type asserter struct {
	t testing.TB
}

// report records a failure at the calling script line.
func (a *asserter) report(L *lua.LState, format string, args ...any) {
	a.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if pos := luavm.Caller(L, 1); pos != "" {
		msg = pos + ": " + msg
	}
	a.t.Error(msg)
}

func (a *asserter) eq(L *lua.LState) int {
	x, y := L.Get(1), L.Get(2)
	if !equal(L, x, y, 0) {
		a.report(L, "%s%s != %s", prefix(L, 3), show(L, x), show(L, y))
	}
	return 0
}

func (a *asserter) ne(L *lua.LState) int {
	x, y := L.Get(1), L.Get(2)
	if equal(L, x, y, 0) {
		a.report(L, "%s%s == %s", prefix(L, 3), show(L, x), show(L, y))
	}
	return 0
}

func (a *asserter) isTrue(L *lua.LState) int {
	if !lua.LVAsBool(L.Get(1)) {
		a.report(L, "%sassertion failed (got %s)", prefix(L, 2), show(L, L.Get(1)))
	}
	return 0
}

func (a *asserter) isFalse(L *lua.LState) int {
	if lua.LVAsBool(L.Get(1)) {
		a.report(L, "%sexpected a false value, got %s", prefix(L, 2), show(L, L.Get(1)))
	}
	return 0
}

func (a *asserter) fail(L *lua.LState) int {
	a.report(L, "%s", L.OptString(1, "failed"))
	return 0
}

// fails calls fn and checks that it raises an error whose text contains
// pattern (a Lua pattern); it returns the error value.
func (a *asserter) fails(L *lua.LState) int {
	fn := L.CheckFunction(1)
	pattern := L.OptString(2, "")
	L.Push(fn)
	err := luavm.PCall(L, 0, 0, nil)
	if err == nil {
		a.report(L, "expected an error, got none")
		L.Push(lua.LNil)
		return 1
	}
	val := err.(*lua.ApiError).Object
	text := L.ToStringMeta(val).String()
	if pattern != "" && !find(L, text, pattern) {
		a.report(L, "error %q does not match %q", text, pattern)
	}
	L.Push(val)
	return 1
}

// contains checks that a string contains a substring (plain) or a list
// contains an element.
func (a *asserter) contains(L *lua.LState) int {
	hay, needle := L.Get(1), L.Get(2)
	switch h := hay.(type) {
	case lua.LString:
		if !strings.Contains(string(h), lua.LVAsString(needle)) {
			a.report(L, "%q does not contain %q", string(h), lua.LVAsString(needle))
		}
	case *lua.LTable:
		for i := 1; i <= h.Len(); i++ {
			if equal(L, h.RawGetInt(i), needle, 0) {
				return 0
			}
		}
		a.report(L, "%s does not contain %s", show(L, hay), show(L, needle))
	default:
		a.report(L, "assert.contains: string or list expected, got %s", hay.Type())
	}
	return 0
}

// find is Lua's string.find(text, pattern) ~= nil.
func find(L *lua.LState, text, pattern string) bool {
	strlib := L.GetGlobal("string").(*lua.LTable)
	L.Push(strlib.RawGetString("find"))
	L.Push(lua.LString(text))
	L.Push(lua.LString(pattern))
	L.Call(2, 1)
	ok := L.Get(-1) != lua.LNil
	L.Pop(1)
	return ok
}

func prefix(L *lua.LState, n int) string {
	if msg, ok := L.Get(n).(lua.LString); ok {
		return string(msg) + ": "
	}
	return ""
}

// equal is deep equality of plain values; tables compare by content.
func equal(L *lua.LState, x, y lua.LValue, depth int) bool {
	if x == y {
		return true
	}
	tx, ok1 := x.(*lua.LTable)
	ty, ok2 := y.(*lua.LTable)
	if !ok1 || !ok2 {
		if x.Type() == y.Type() && x.Type() != lua.LTTable {
			return L.Equal(x, y)
		}
		return false
	}
	if depth > 50 {
		return false
	}
	bindings.Expand(tx)
	bindings.Expand(ty)
	same := true
	count := 0
	tx.ForEach(func(k, v lua.LValue) {
		count++
		if same && !equal(L, v, ty.RawGet(k), depth+1) {
			same = false
		}
	})
	ty.ForEach(func(_, _ lua.LValue) { count-- })
	return same && count == 0
}

func show(L *lua.LState, v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(v))
	case *lua.LTable:
		if L.GetMetatable(v) != lua.LNil {
			return L.ToStringMeta(v).String()
		}
		var parts []string
		bindings.Expand(v)
		v.ForEach(func(k, val lua.LValue) {
			parts = append(parts, fmt.Sprintf("%s=%s", lua.LVAsString(k), show(L, val)))
		})
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return L.ToStringMeta(v).String()
}
