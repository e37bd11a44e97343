package bindings

import (
	"io/fs"
	"path"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"
	"github.com/minspace/min/stdlib"
)

// newLua makes the sandboxed Lua state with luavm (safe libraries, Min's
// pcall, error levels and require), printing to the state's Stdout and
// loading require("min.x") from the embedded stdlib.
func newLua(s *State) *lua.LState {
	return luavm.New(luavm.Options{
		ScriptDir: s.opts.ScriptDir,
		Loader:    stdlibSource,
		Cache:     luavm.DefaultProtoCache(),
		Stdout:    s.opts.Stdout,
	})
}

// stdlibSource finds require("min.util") as stdlib's min/util.lua.
func stdlibSource(name string) (string, bool) {
	src, err := fs.ReadFile(stdlib.FS, path.Join(strings.Split(name, ".")...)+".lua")
	if err != nil {
		return "", false
	}
	// src is ours alone and never written to: no second copy of kubectl.lua.
	return unsafe.String(unsafe.SliceData(src), len(src)), true
}

// tostring is Lua's tostring (honouring __tostring).
func (s *State) tostring(L *lua.LState, v lua.LValue) string {
	return L.ToStringMeta(v).String()
}
