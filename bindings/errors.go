package bindings

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// Reasons Lua code sees on a caught error besides the API ones.
const (
	reasonBadRequest = api.ReasonBadRequest
	reasonTimeout    = api.ReasonTimeout
	reasonInternal   = "InternalError"
)

// stdlibPrefix marks the chunk names of Min's own Lua sources, so that an
// error raised inside them blames the user's line instead.
const stdlibPrefix = "[min]/"

// userWhere returns "file:line:" of the innermost Lua frame that belongs to
// the user (not a Go function, not Min's stdlib), or "" when there is none.
func userWhere(L *lua.LState) string {
	for level := 0; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return ""
		}
		if _, err := L.GetInfo("Sl", dbg, nil); err != nil {
			continue
		}
		if dbg.What == "G" || dbg.CurrentLine <= 0 || strings.HasPrefix(dbg.Source, stdlibPrefix) {
			continue
		}
		return fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
	}
}

// raise throws a Lua error value: a table with reason, message and where,
// whose tostring is "file:line: message". It never returns.
func (s *State) raise(L *lua.LState, reason, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	L.Error(s.errorValue(L, reason, msg, userWhere(L)), 0)
}

// raiseErr turns a Go error into a Lua error, keeping an API reason.
func (s *State) raiseErr(L *lua.LState, err error) {
	reason := api.ReasonOf(err)
	switch {
	case reason != "":
	case errors.Is(err, errCancelled):
		reason = "Cancelled"
	default:
		reason = reasonInternal
	}
	s.raise(L, reason, "%s", err.Error())
}

// errorValue builds the error table.
func (s *State) errorValue(L *lua.LState, reason, msg, where string) *lua.LTable {
	t := L.CreateTable(0, 3)
	t.RawSetString("reason", lua.LString(reason))
	t.RawSetString("message", lua.LString(msg))
	if where != "" {
		t.RawSetString("where", lua.LString(where))
	}
	L.SetMetatable(t, s.errMeta)
	return t
}

// newErrorMeta makes the metatable shared by every error value.
func newErrorMeta(L *lua.LState) *lua.LTable {
	mt := L.NewTable()
	str := func(L *lua.LState) int {
		L.Push(lua.LString(errorText(L.Get(1))))
		return 1
	}
	mt.RawSetString("__tostring", L.NewFunction(str))
	mt.RawSetString("__concat", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(errorText(L.Get(1)) + errorText(L.Get(2))))
		return 1
	}))
	mt.RawSetString("__name", lua.LString("min.error"))
	return mt
}

// errorText renders an error table as "where message", anything else as
// Lua's tostring would.
func errorText(v lua.LValue) string {
	t, ok := v.(*lua.LTable)
	if !ok {
		return lua.LVAsString(v)
	}
	msg, isMsg := t.RawGetString("message").(lua.LString)
	if !isMsg {
		return v.String()
	}
	if w, ok := t.RawGetString("where").(lua.LString); ok && w != "" {
		return string(w) + " " + string(msg)
	}
	return string(msg)
}

// argError raises Lua's "bad argument" text for misuse of a function.
func (s *State) argError(L *lua.LState, n int, fn, what string) {
	s.raise(L, reasonBadRequest, "bad argument #%d to '%s' (%s)", n, fn, what)
}

// Error is a Lua error that reached Go: Message is "file:line: message"
// as the user sees it, Reason the API reason (if any), Traceback Lua's
// stack trace.
type Error struct {
	Reason    string
	Message   string
	Traceback string
}

func (e *Error) Error() string { return e.Message }

// wrapRunError converts what PCall returned into an *Error.
func wrapRunError(err error) error {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return err
	}
	e := &Error{Message: errorText(ae.Object), Traceback: ae.StackTrace}
	if ae.Object == nil {
		e.Message = ae.Error()
	}
	if t, ok := ae.Object.(*lua.LTable); ok {
		if r, ok := t.RawGetString("reason").(lua.LString); ok {
			e.Reason = string(r)
		}
	}
	if ae.Type == lua.ApiErrorSyntax {
		e.Message = strings.TrimSpace(e.Message)
	}
	return e
}

var errCancelled = errors.New("cancelled")
