package bindings

import (
	"context"
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/manifest"
)

// Reasons Lua code sees on a caught error besides the API ones.
const (
	reasonBadRequest = api.ReasonBadRequest
	reasonTimeout    = api.ReasonTimeout
	reasonInternal   = "InternalError"
)

// stdlibChunk starts the chunk names luavm gives Min's own Lua sources,
// so that an error raised inside them blames the user's line instead.
const stdlibChunk = "stdlib/"

// userWhere returns "file:line" of the innermost Lua frame that belongs to
// the user (not a Go function, not Min's stdlib), through pcall's child
// threads, or "" when there is none.
func userWhere(L *lua.LState) string {
	for level := 1; level < 1000; level++ {
		pos := luavm.Caller(L, level)
		if pos == "" {
			return ""
		}
		if !strings.HasPrefix(pos, stdlibChunk) {
			return pos
		}
	}
	return ""
}

// raise throws Min's error value (luavm.ErrorTable): reason, and a message
// that starts with the user's "file:line:". It never returns.
func (s *State) raise(L *lua.LState, reason, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	if pos := userWhere(L); pos != "" {
		msg = pos + ": " + msg
	}
	L.Error(luavm.ErrorTable(L, reason, msg), 0)
}

// raiseErr turns a Go error into a Lua error, keeping an API reason and
// rendering strict-decoding errors with Lua's 1-based indices.
func (s *State) raiseErr(L *lua.LState, err error) {
	if ctxOf(L).Err() == context.Canceled { // Ctrl-C, not a timeout of the call
		s.raise(L, "Cancelled", "interrupted")
	}
	reason := api.ReasonOf(err)
	var fe manifest.FieldErrors
	switch {
	case errors.As(err, &fe):
		s.raise(L, api.ReasonBadRequest, "%s", fe.Local(1))
	case reason != "":
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		reason = "Cancelled"
	case errors.Is(err, api.ErrBadRequest):
		reason = api.ReasonBadRequest
	default:
		reason = reasonInternal
	}
	s.raise(L, reason, "%s", err.Error())
}

// argError raises Lua's "bad argument" text for misuse of a function.
func (s *State) argError(L *lua.LState, n int, fn, what string) {
	s.raise(L, reasonBadRequest, "bad argument #%d to '%s' (%s)", n, fn, what)
}

// Error is a Lua error that ended a run: Message is "file:line: message"
// as the user sees it, Reason the API reason (if any), Traceback Lua's
// stack trace (filled when the run asked for it).
type Error struct {
	Reason    string
	Message   string
	Traceback string
	cause     error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the context's error when the run was cancelled.
func (e *Error) Unwrap() error { return e.cause }

// runError converts what a protected call returned into an *Error.
func runError(L *lua.LState, err error) *Error {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return &Error{Message: err.Error(), cause: err}
	}
	e := &Error{Message: strings.TrimSpace(errorText(L, ae.Object)), Traceback: ae.StackTrace}
	if t, ok := ae.Object.(*lua.LTable); ok {
		if r, ok := t.RawGetString("reason").(lua.LString); ok {
			e.Reason = string(r)
		}
	}
	return e
}

// errorText is the text of an error value: a string as is, an error
// table's message, anything else its tostring.
func errorText(L *lua.LState, v lua.LValue) string {
	if v == nil {
		return "nil"
	}
	if t, ok := v.(*lua.LTable); ok {
		if m, ok := t.RawGetString("message").(lua.LString); ok {
			return string(m)
		}
	}
	return L.ToStringMeta(v).String()
}
