package luavm

import (
	"fmt"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// maxNesting bounds how deep a chunk's syntax tree may nest. gopher-lua's
// compiler recurses over the tree (a Go stack overflow kills the process)
// and resolves names through every enclosing function (quadratic in the
// nesting), all before any context is looked at. Lua 5.1 stops at 200
// syntax levels; this counts tree nodes, several per syntax level.
const maxNesting = 2000

// compile turns src into a function of L's environment, like L.Load, but
// refuses chunks nested too deeply to compile safely. Run, loadstring, load
// and require all compile through it.
func compile(L *lua.LState, src, name string) (*lua.LFunction, error) {
	chunk, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	if tooDeep(reflect.ValueOf(chunk), 0) {
		return nil, fmt.Errorf("%s: chunk has too many syntax levels", name)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, err
	}
	return L.NewFunctionFromProto(proto), nil
}

// tooDeep reports whether the syntax tree under v nests more than
// maxNesting nodes deep. It stops at the limit, so its own recursion is
// bounded.
func tooDeep(v reflect.Value, depth int) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && tooDeep(v.Elem(), depth)
	case reflect.Struct:
		if depth++; depth > maxNesting {
			return true
		}
		for i := 0; i < v.NumField(); i++ {
			if tooDeep(v.Field(i), depth) {
				return true
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if tooDeep(v.Index(i), depth) {
				return true
			}
		}
	}
	return false
}

// Load compiles chunk under name into a function of L's environment, like
// L.Load but through Min's nesting limit. A chunk that does not compile
// gives an *Error that matches ErrSyntax.
func Load(L *lua.LState, chunk, name string) (*lua.LFunction, error) {
	fn, err := compile(L, chunk, name)
	if err != nil {
		return nil, &Error{Value: lua.LString(err.Error()), Message: err.Error(), cause: ErrSyntax}
	}
	return fn, nil
}

// loadstring is Lua 5.1's loadstring(s [, chunkname]) through compile.
func loadstring(L *lua.LState) int {
	return pushLoaded(L, L.CheckString(1), L.OptString(2, "<string>"))
}

// load is Lua 5.1's load(reader [, chunkname]) through compile: reader is
// called until it returns nil or "", and the pieces make the chunk.
func load(L *lua.LState) int {
	reader := L.CheckFunction(1)
	name := L.OptString(2, "(load)")
	var b strings.Builder
	for {
		L.Push(reader)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		s, ok := piece.(lua.LString)
		if n, isNum := piece.(lua.LNumber); isNum {
			s, ok = lua.LString(n.String()), true
		}
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if s == "" {
			break
		}
		b.WriteString(string(s))
	}
	return pushLoaded(L, b.String(), name)
}

func pushLoaded(L *lua.LState, src, name string) int {
	fn, err := compile(L, src, name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}
