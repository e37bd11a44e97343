package luavm

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// How Go bindings raise errors that pcall catches intact:
//
//   - L.RaiseError(format, args...) raises a string that starts with the
//     position of the calling Lua line (L.ArgError and L.TypeError too);
//   - Raise(L, value) raises any value unchanged (tables keep their
//     identity and fields, strings get no position);
//   - RaiseReason(L, reason, format, args...) raises Min's error table,
//     {reason = "NotFound", message = "deploy.lua:7: pods \"web\" not found"},
//     whose tostring is its message.
//
// pcall returns false and the raised value; xpcall passes it to its handler;
// Run reports it as an *Error.

// error is Min's error(value [, level]). gopher-lua's blames the function
// that called error for level 2 as well as 1; Lua 5.1 blames that
// function's caller for 2, its caller's caller for 3, and so on. A string
// (or number) gets the position of the Lua line at that level; other
// values, and level 0, raise the value unchanged.
func (v *vm) error(L *lua.LState) int {
	value := L.Get(1)
	level := L.OptInt(2, 1)
	switch value.(type) {
	case lua.LString, lua.LNumber:
		if level > 0 {
			value = lua.LString(Where(L, level) + value.String())
		}
	}
	L.Error(value, 0)
	return 0
}

// Raise raises value as a Lua error, unchanged. It does not return.
func Raise(L *lua.LState, value lua.LValue) {
	L.Error(value, 0)
}

// RaiseReason raises Min's error table with the given reason and a message
// that starts with the position of the user's Lua line (Caller(L, 1)). It
// does not return.
func RaiseReason(L *lua.LState, reason, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if pos := Caller(L, 1); pos != "" {
		msg = pos + ": " + msg
	}
	L.Error(ErrorTable(L, reason, msg), 0)
}

// ErrorTable returns Min's error value {reason = reason, message = message},
// whose tostring (and print, and Run's report) is the message.
func ErrorTable(L *lua.LState, reason, message string) *lua.LTable {
	t := L.CreateTable(0, 2)
	t.RawSetString("reason", lua.LString(reason))
	t.RawSetString("message", lua.LString(message))
	if v := lookup(L); v != nil {
		t.Metatable = v.errorMeta
	}
	return t
}

func newErrorMeta(L *lua.LState) *lua.LTable {
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(lua.LString(lua.LVAsString(t.RawGetString("message"))))
		return 1
	}))
	return mt
}
