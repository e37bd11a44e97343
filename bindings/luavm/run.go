package luavm

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	lua "github.com/yuin/gopher-lua"
)

// ErrSyntax is matched (errors.Is) by the *Error of a chunk that does not
// compile.
var ErrSyntax = errors.New("lua syntax error")

// Error is a Lua error that ended a run.
type Error struct {
	// Value is the raised value: a string, Min's error table, or any value.
	Value lua.LValue
	// Reason is the error table's reason ("NotFound", ...), "" otherwise.
	Reason string
	// Message is the error's text: the string, the table's message field,
	// or the value's tostring.
	Message string
	// Traceback is Lua's stack traceback where the error was raised, when
	// known.
	Traceback string
	cause     error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the context's error when the run was cancelled or timed
// out, ErrSyntax for a chunk that did not compile, nil otherwise.
func (e *Error) Unwrap() error { return e.cause }

// Run compiles chunk under name (the chunk name errors start with, e.g.
// "deploy.lua") and runs it on L under ctx: cancelling ctx or passing its
// deadline ends the run with an *Error that wraps ctx.Err(). Any Lua error,
// and any Go panic inside the VM, comes back as an *Error: Run never
// panics. L's previous context is restored afterwards.
func Run(ctx context.Context, L *lua.LState, chunk, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{
				Value:     lua.LString(fmt.Sprint(r)),
				Message:   fmt.Sprintf("%s: internal error: %v", name, r),
				Traceback: string(debug.Stack()),
			}
		}
	}()
	fn, err := Load(L, chunk, name)
	if err != nil {
		return err
	}
	restore := withContext(L, ctx)
	defer restore()
	top := L.GetTop()
	defer L.SetTop(top)
	L.Push(fn)
	v := lookup(L)
	if v == nil {
		if err := L.PCall(0, 0, nil); err != nil {
			return newError(L, err, ctx)
		}
		return nil
	}
	ok, c := v.protectCall(L, 0, 0, call{trace: true})
	if ok {
		return nil
	}
	return newError(L, &lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: c.traceback}, ctx)
}

// withContext sets ctx on L and returns the function that puts back the
// context L had.
func withContext(L *lua.LState, ctx context.Context) func() {
	old := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	L.SetContext(ctx)
	return func() {
		if old != nil {
			L.SetContext(old)
		} else {
			L.RemoveContext()
		}
	}
}

func newError(L *lua.LState, err error, ctx context.Context) *Error {
	e := &Error{Value: errorObject(err)}
	if aerr, ok := err.(*lua.ApiError); ok {
		e.Traceback = aerr.StackTrace
	}
	e.Message = messageOf(L, e.Value)
	if t, ok := e.Value.(*lua.LTable); ok {
		e.Reason = lua.LVAsString(t.RawGetString("reason"))
	}
	if ctx.Err() != nil {
		e.cause = ctx.Err()
	}
	return e
}

// messageOf is the text of an error value: a string as is, a table's
// message field, otherwise tostring.
func messageOf(L *lua.LState, v lua.LValue) string {
	if t, ok := v.(*lua.LTable); ok {
		if m, ok := t.RawGetString("message").(lua.LString); ok {
			return string(m)
		}
	}
	return L.ToStringMeta(v).String()
}
