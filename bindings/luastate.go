package bindings

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/stdlib"
)

// newLua makes the sandboxed Lua state: base (without dofile, loadfile),
// table, string, math, package (require from the embedded stdlib and the
// script's own folder only) and a safe os subset.
func newLua(s *State) (*lua.LState, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.LoadLibName, lua.OpenPackage},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.OsLibName, lua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, name := range []string{"dofile", "loadfile"} {
		L.SetGlobal(name, lua.LNil)
	}
	restrictOS(L)
	L.SetGlobal("print", L.NewFunction(s.print))
	s.installLoaders(L)
	return L, nil
}

// restrictOS keeps only os.time, date, getenv, clock and difftime.
func restrictOS(L *lua.LState) {
	os := L.GetGlobal("os").(*lua.LTable)
	keep := map[string]bool{"time": true, "date": true, "getenv": true, "clock": true, "difftime": true}
	var drop []string
	os.ForEach(func(k, _ lua.LValue) {
		if !keep[k.String()] {
			drop = append(drop, k.String())
		}
	})
	for _, k := range drop {
		os.RawSetString(k, lua.LNil)
	}
}

// print writes to the state's Stdout, tab-separated like Lua's print.
func (s *State) print(L *lua.LState) int {
	n := L.GetTop()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(s.tostring(L, L.Get(i)))
	}
	b.WriteByte('\n')
	s.opts.Stdout.Write([]byte(b.String()))
	return 0
}

// tostring is Lua's tostring (honouring __tostring).
func (s *State) tostring(L *lua.LState, v lua.LValue) string {
	if mt, ok := L.GetMetatable(v).(*lua.LTable); ok {
		if fn, ok := mt.RawGetString("__tostring").(*lua.LFunction); ok {
			L.Push(fn)
			L.Push(v)
			L.Call(1, 1)
			r := L.Get(-1)
			L.Pop(1)
			return lua.LVAsString(r)
		}
	}
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	return v.String()
}

// installLoaders replaces package.loaders: package.preload (Min's Go
// modules), then the embedded stdlib, then the folder of the running
// script. package.path is not searched.
func (s *State) installLoaders(L *lua.LState) {
	pkg := L.GetGlobal("package").(*lua.LTable)
	loaders := L.GetField(pkg, "loaders").(*lua.LTable)
	preload := loaders.RawGetInt(1)
	fresh := L.CreateTable(3, 0)
	fresh.RawSetInt(1, preload)
	fresh.RawSetInt(2, L.NewFunction(s.loadStdlib))
	fresh.RawSetInt(3, L.NewFunction(s.loadScriptDir))
	L.SetField(pkg, "loaders", fresh)
	L.SetField(L.Get(lua.RegistryIndex), "_LOADERS", fresh)
	L.SetField(pkg, "path", lua.LString(""))
}

func (s *State) loadStdlib(L *lua.LState) int {
	name := L.CheckString(1)
	file := path.Join(strings.Split(name, ".")...) + ".lua"
	src, err := fs.ReadFile(stdlib.FS, file)
	if err != nil {
		L.Push(lua.LString("\n\tno embedded module '" + file + "'"))
		return 1
	}
	fn, err := L.Load(strings.NewReader(string(src)), stdlibPrefix+file)
	if err != nil {
		L.RaiseError("%v", err)
	}
	L.Push(fn)
	return 1
}

func (s *State) loadScriptDir(L *lua.LState) int {
	name := L.CheckString(1)
	rel := filepath.Join(strings.Split(name, ".")...) + ".lua"
	dirs := s.scripts
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var tried []string
	for _, dir := range dirs {
		file := filepath.Join(dir, rel)
		src, err := os.ReadFile(file)
		if err != nil {
			tried = append(tried, "\n\tno file '"+file+"'")
			continue
		}
		fn, err := L.Load(strings.NewReader(stripShebang(string(src))), file)
		if err != nil {
			L.RaiseError("%v", err)
		}
		L.Push(fn)
		return 1
	}
	L.Push(lua.LString(strings.Join(tried, "")))
	return 1
}
