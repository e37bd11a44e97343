package luavm

import (
	"runtime"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua implements coroutine.yield by unwinding the Go function that
// runs the coroutine's Lua code. When a Go function sits in between (pcall,
// a metamethod, table.sort's comparator, string.gsub's callback, a binding
// that calls back into Lua) the unwinding stops at the wrong Go frame and
// the VM carries on with a corrupted stack: Lua 5.1 refuses such a yield
// ("attempt to yield across metamethod/C-call boundary"), and so does Min.

const (
	fnCallR     = "github.com/yuin/gopher-lua.(*LState).callR"
	fnThreadRun = "github.com/yuin/gopher-lua.threadRun"
)

func (v *vm) installCoroutine(L *lua.LState) {
	co, ok := L.G.Global.RawGetString("coroutine").(*lua.LTable)
	if !ok {
		return
	}
	v.origResume = co.RawGetString("resume").(*lua.LFunction).GFunction
	v.origWrap = co.RawGetString("wrap").(*lua.LFunction).GFunction
	co.RawSetString("yield", L.NewFunction(v.yield))
	co.RawSetString("running", L.NewFunction(v.running))
	co.RawSetString("resume", L.NewFunction(v.resume))
	co.RawSetString("wrap", L.NewFunction(v.wrap))
}

// yield is coroutine.yield with Lua 5.1's refusals.
func (v *vm) yield(L *lua.LState) int {
	switch {
	case v.ownerOf(L) != nil:
		L.RaiseError("attempt to yield across pcall (a C-call boundary)")
	case L.Parent == nil:
		L.RaiseError("attempt to yield from outside a coroutine")
	case crossesGo():
		L.RaiseError("attempt to yield across metamethod/C-call boundary")
	}
	return -1 // gopher-lua's yield
}

// crossesGo reports whether, between this yield and the resume that runs
// the coroutine, a Go function called back into Lua: gopher-lua enters Lua
// from Go through callR, and a coroutine starts in threadRun.
func crossesGo() bool {
	var pcs [128]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		switch {
		case f.Function == fnThreadRun:
			return false
		case f.Function == fnCallR:
			return true
		case !more:
			return false
		}
	}
}

// running is coroutine.running: inside a pcall it names the coroutine (or
// the main thread, as nil) that called pcall, not the pcall's child thread.
func (v *vm) running(L *lua.LState) int {
	th := L
	for owner := v.ownerOf(th); owner != nil; owner = v.ownerOf(th) {
		th = owner
	}
	if th == L.G.MainThread {
		L.Push(lua.LNil)
	} else {
		L.Push(th)
	}
	return 1
}

// resume is coroutine.resume. A coroutine runs under the context of the
// run that resumes it: gopher-lua fixes a coroutine's context when it is
// created, so one made in an earlier run (the REPL's previous line) would
// otherwise stay cancelled, or never be cancelled at all.
func (v *vm) resume(L *lua.LState) int {
	adoptContext(L.CheckThread(1), L)
	return v.origResume(L)
}

// wrap is coroutine.wrap with resume's context rule.
func (v *vm) wrap(L *lua.LState) int {
	v.origWrap(L)
	f := L.Get(-1).(*lua.LFunction)
	L.Pop(1)
	th, _ := f.Upvalues[0].Value().(*lua.LState)
	aux := f.GFunction // reads the thread from its closure's upvalue 1
	L.Push(L.NewClosure(func(L *lua.LState) int {
		adoptContext(th, L)
		return aux(L)
	}, th))
	return 1
}

func adoptContext(th, from *lua.LState) {
	if th == nil {
		return
	}
	if ctx := from.Context(); ctx != nil {
		th.SetContext(ctx)
	} else if th.Context() != nil {
		th.RemoveContext()
	}
}
