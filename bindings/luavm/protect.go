package luavm

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Why protected calls run on a child thread (upstream yuin/gopher-lua#448,
// open in v1.1.2 and on master): when gopher-lua raises an error and no
// error handler is installed, raiseError closes the open upvalues of every
// frame of the thread, not only of the frames being unwound. The function
// that called pcall keeps running with its locals detached from the
// closures that share them, so `n = n + 1` after a caught error is lost.
//
// Min runs the protected function on a child thread (a second LState that
// shares the globals) instead. Upvalue closing and register clearing are per
// thread, so an error can only close the upvalues of the frames inside the
// protected call, which are exactly the unwound ones, as in Lua 5.1.
// Upvalues of the caller's frames stay open on the caller's thread, and the
// child reads and writes them there. Children are pooled per state, one per
// level of pcall nesting, so a pcall allocates nothing.
//
// The same child cannot yield (it is no coroutine), so a yield across pcall
// becomes a Lua error; see coroutine.go.

// call is one protected call in progress on a child thread.
type call struct {
	child, owner *lua.LState
	handler      lua.LValue // xpcall's message handler; nil for pcall
	gfn          bool       // the protected function is a Go function
	handled      bool       // catch ran; result holds the error value
	result       lua.LValue
	trace        bool // catch records the failed stack in traceback
	traceback    string
}

// acquire lends a child thread to a protected call of owner.
func (v *vm) acquire(owner *lua.LState, c call) *lua.LState {
	depth := len(v.active)
	if depth == len(v.pool) {
		v.pool = append(v.pool, newChild(owner))
	}
	child := v.pool[depth]
	child.Env = owner.Env
	if ctx := owner.Context(); ctx != nil {
		child.SetContext(ctx)
	} else if child.Context() != nil {
		child.RemoveContext()
	}
	c.child, c.owner = child, owner
	v.active = append(v.active, c)
	return child
}

// release ends the innermost protected call. gopher-lua's PCall has reset
// the child's frames and registers, so the child is ready for the next one.
func (v *vm) release() call {
	depth := len(v.active) - 1
	c := v.active[depth]
	v.active[depth] = call{}
	v.active = v.active[:depth]
	return c
}

// newChild makes a thread sharing owner's globals with a small value stack
// that grows on demand.
func newChild(owner *lua.LState) *lua.LState {
	saved := owner.Options
	owner.Options.RegistrySize = childRegistrySize
	owner.Options.RegistryMaxSize = registryMaxSize
	owner.Options.RegistryGrowStep = lua.RegistryGrowStep
	owner.Options.MinimizeStackMemory = true
	child, cancel := owner.NewThread()
	owner.Options = saved
	if cancel != nil {
		cancel() // acquire sets the owner's context on every use
	}
	return child
}

// ownerOf returns the thread that lent L its protected call, or nil when L
// is no pcall child.
func (v *vm) ownerOf(L *lua.LState) *lua.LState {
	for i := len(v.active) - 1; i >= 0; i-- {
		if v.active[i].child == L {
			return v.active[i].owner
		}
	}
	return nil
}

// protect calls the value below the top nargs values of L's stack with
// those arguments, on a child thread. On success it leaves the results (all
// of them when nret is lua.MultRet) on L's stack and returns true; on error
// it leaves the error value (or what handler made of it) and returns false.
func (v *vm) protect(L *lua.LState, nargs, nret int, handler lua.LValue) bool {
	ok, _ := v.protectCall(L, nargs, nret, call{handler: handler})
	return ok
}

// protectCall is protect for a call with options (trace); it also returns
// the finished call.
func (v *vm) protectCall(L *lua.LState, nargs, nret int, c call) (bool, call) {
	handler := c.handler
	fn := L.Get(-nargs - 1)
	if msg, ok := notCallable(L, fn); !ok {
		L.Pop(nargs + 1)
		return v.fail(L, lua.LString(msg), handler), c
	}
	if len(v.active) >= maxPcallDepth {
		L.Pop(nargs + 1)
		return v.fail(L, lua.LString("stack overflow (too many nested pcall)"), handler), c
	}
	if f, ok := fn.(*lua.LFunction); ok {
		c.gfn = f.IsG
	}
	child := v.acquire(L, c)
	current := L.G.CurrentThread
	L.XMoveTo(child, nargs+1)
	err := child.PCall(nargs, nret, v.catchFn)
	// A coroutine resumed inside the call hands control back to the child;
	// the caller is the running thread again.
	L.G.CurrentThread = current
	L.Env = child.Env // setfenv(0, t) inside the call
	c = v.release()
	if err == nil {
		child.XMoveTo(L, child.GetTop())
		return true, c
	}
	child.SetTop(0)
	if c.handled {
		L.Push(c.result)
	} else {
		L.Push(tidy(c.gfn, errorObject(err)))
	}
	return false, c
}

// fail reports an error found before the call started, through the handler
// when there is one, as Lua 5.1 does.
func (v *vm) fail(L *lua.LState, e lua.LValue, handler lua.LValue) bool {
	if handler == nil {
		L.Push(e)
		return false
	}
	L.Push(handler)
	L.Push(e)
	v.protect(L, 1, 1, nil) // leaves its result, or its own error
	return false
}

// catch is the error function of every protected call's child thread.
// gopher-lua calls it where the error was raised, with the frames still in
// place, so xpcall's handler sees the stack that failed (for a traceback).
// It then closes the child's open upvalues, which gopher-lua leaves open
// when an error function is installed (and after a Go panic) and whose
// registers it clears as the call unwinds: a raise with no error function
// active closes every open upvalue of this thread, and this thread holds
// only the frames being unwound.
func (v *vm) catch(L *lua.LState) int {
	for i := len(v.active) - 1; i >= 0; i-- {
		c := &v.active[i]
		if c.child != L || c.handled {
			continue
		}
		e := tidy(c.gfn, L.Get(1))
		if c.trace {
			c.traceback = Traceback(L, "", 1)
		}
		if c.handler != nil {
			// An error in the handler propagates from here: PCall reports
			// it instead, and its raise has closed the upvalues.
			L.Push(c.handler)
			L.Push(e)
			L.Call(1, 1)
			e = L.Get(-1)
		}
		// The handler's own pcalls may have grown v.active: index again.
		v.active[i].handled, v.active[i].result = true, e
		break
	}
	// Raise through a Panic that throws a plain value: L.Error closes the
	// upvalues first, and PCall then skips formatting a stack trace for an
	// error nobody reads (gopher-lua puts the Panic it replaced back).
	L.Panic = panicClosed
	L.Error(lua.LNil, 0)
	return 0
}

// closedUpvalues is what catch throws once it has closed the upvalues.
type closedUpvalues struct{}

func panicClosed(*lua.LState) { panic(closedUpvalues{}) }

// notCallable returns Lua 5.1's message for calling fn when fn is neither a
// function nor has a __call metamethod.
func notCallable(L *lua.LState, fn lua.LValue) (string, bool) {
	if fn.Type() == lua.LTFunction {
		return "", true
	}
	if L.GetMetaField(fn, "__call").Type() == lua.LTFunction {
		return "", true
	}
	return "attempt to call a " + fn.Type().String() + " value", false
}

// errorObject returns the Lua value an error carries.
func errorObject(err error) lua.LValue {
	if aerr, ok := err.(*lua.ApiError); ok && aerr.Object != nil {
		return aerr.Object
	}
	return lua.LString(err.Error())
}

// tidy repairs the message of an error raised by a Go function that pcall
// called directly. On the child thread that function is the bottom frame,
// where gopher-lua finds no Lua position to prepend (leaving a bare leading
// space) and names the function "main chunk". Lua 5.1 prints no position
// there either, and calls the function '?'.
func tidy(gfn bool, e lua.LValue) lua.LValue {
	s, ok := e.(lua.LString)
	if !gfn || !ok || !strings.HasPrefix(string(s), " ") {
		return e
	}
	msg := strings.TrimPrefix(string(s), " ")
	msg = strings.Replace(msg, " to main chunk (", " to '?' (", 1)
	return lua.LString(msg)
}

// pcall is Min's pcall(f, ...): Lua 5.1's, on a child thread.
func (v *vm) pcall(L *lua.LState) int {
	L.CheckAny(1)
	ok := v.protect(L, L.GetTop()-1, lua.MultRet, nil)
	return v.results(L, ok)
}

// xpcall is Min's xpcall(f, handler): Lua 5.1 calls f with no arguments
// and handler with the error, before the stack unwinds.
func (v *vm) xpcall(L *lua.LState) int {
	L.CheckAny(2)
	handler := L.Get(2)
	L.SetTop(1)
	ok := v.protect(L, 0, lua.MultRet, handler)
	return v.results(L, ok)
}

// results turns protect's outcome into pcall's return values. A cancelled
// or expired context is no error a script may catch: the run must end.
func (v *vm) results(L *lua.LState, ok bool) int {
	if ok {
		L.Insert(lua.LTrue, 1)
		return L.GetTop()
	}
	e := L.Get(-1)
	if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
		L.Error(e, 0)
	}
	L.SetTop(0)
	L.Push(lua.LFalse)
	L.Push(e)
	return 2
}

// PCall is L.PCall for Go bindings: it calls the function below the top
// nargs values of L's stack in protected mode, with Min's semantics (the
// caller's upvalues survive a caught error, see yuin/gopher-lua#448). On
// success the results (nret of them, or all with lua.MultRet) are on the
// stack; on error nothing is left and the error is a *lua.ApiError whose
// Object is the raised value, unchanged. handler, when not nil, is called
// with the error before the stack unwinds and its result becomes Object.
// On a state not made by New it is L.PCall.
func PCall(L *lua.LState, nargs, nret int, handler *lua.LFunction) error {
	v := lookup(L)
	if v == nil {
		return L.PCall(nargs, nret, handler)
	}
	var h lua.LValue
	if handler != nil {
		h = handler
	}
	if v.protect(L, nargs, nret, h) {
		return nil
	}
	e := L.Get(-1)
	L.Pop(1)
	return &lua.ApiError{Type: lua.ApiErrorRun, Object: e}
}
