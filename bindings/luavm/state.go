package luavm

import (
	"fmt"
	"io"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Options configures New. The zero value is minish's configuration: no
// stdlib modules, no script folder, print to os.Stdout.
type Options struct {
	// ScriptDir is the folder of the script being run: require("a.b") finds
	// ScriptDir/a/b.lua or ScriptDir/a/b/init.lua, never a file outside it.
	// Empty: require loads no files.
	ScriptDir string
	// Loader returns the source of an embedded stdlib module (Min's Lua
	// helpers), ok=false when it has none. require asks it before ScriptDir.
	Loader func(name string) (src string, ok bool)
	// Cache keeps the compiled Loader modules for the next process (they
	// are trusted sources). The zero value caches nothing.
	Cache ProtoCache
	// Stdout receives print's output. Nil: os.Stdout.
	Stdout io.Writer
}

// Limits of every state. Lua 5.1 allows 20000 nested Lua calls and 200
// nested C calls; these are close and keep a runaway script's memory small.
const (
	callStackSize     = 8192        // frames per thread
	registrySize      = 1024        // initial value-stack slots of a state
	childRegistrySize = 128         // initial slots of a pcall child thread
	registryMaxSize   = 1024 * 1024 // slots a thread may grow to
	maxPcallDepth     = 200         // nested pcall/xpcall, like LUAI_MAXCCALLS
	maxStringRep      = 1 << 26     // bytes string.rep may build (64 MiB)
)

// registryKey is where a state keeps its *vm in the Lua registry.
const registryKey = "minspace.min/luavm"

// vm is the per-state bookkeeping: the pool of pcall child threads.
type vm struct {
	opts   Options
	stdout io.Writer
	// pool holds every child thread made so far; the first depth of them
	// are in use by the protected calls that are running, innermost last.
	pool   []*lua.LState
	active []call
	// origResume and origWrap are gopher-lua's coroutine functions that
	// Min's versions wrap.
	origResume lua.LGFunction
	origWrap   lua.LGFunction
	// catchFn is the error function of every xpcall (see catch).
	catchFn *lua.LFunction
	// errorMeta is the metatable of Min's error tables (see ErrorTable).
	errorMeta *lua.LTable
}

// New returns a Lua state configured exactly as minish configures it. The
// caller owns it and must Close it.
func New(opts Options) *lua.LState {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       callStackSize,
		RegistrySize:        registrySize,
		RegistryMaxSize:     registryMaxSize,
		MinimizeStackMemory: true,
	})
	v := &vm{opts: opts, stdout: opts.Stdout}
	if v.stdout == nil {
		v.stdout = os.Stdout
	}
	ud := L.NewUserData()
	ud.Value = v
	L.G.Registry.RawSetString(registryKey, ud)
	v.catchFn = L.NewFunction(v.catch)
	v.errorMeta = newErrorMeta(L)
	openLibs(L)
	v.installBase(L)
	v.installCoroutine(L)
	v.installRequire(L)
	restrictOS(L)
	guardStringRep(L)
	return L
}

// lookup returns the bookkeeping of a state made by New, or nil.
func lookup(L *lua.LState) *vm {
	ud, ok := L.G.Registry.RawGetString(registryKey).(*lua.LUserData)
	if !ok {
		return nil
	}
	v, _ := ud.Value.(*vm)
	return v
}

// openLibs opens the safe libraries; package first, as lua.OpenLibs does,
// so that the others register themselves in package.loaded.
func openLibs(L *lua.LState) {
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
		{lua.OsLibName, lua.OpenOs},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
}

// installBase removes the base functions that reach the file system or the
// VM's internals and puts Min's pcall, xpcall, error and print in place.
func (v *vm) installBase(L *lua.LState) {
	g := L.G.Global
	for _, name := range []string{"dofile", "loadfile", "_printregs"} {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("pcall", L.NewFunction(v.pcall))
	g.RawSetString("xpcall", L.NewFunction(v.xpcall))
	g.RawSetString("error", L.NewFunction(v.error))
	g.RawSetString("print", L.NewFunction(v.print))
	g.RawSetString("loadstring", L.NewFunction(loadstring))
	g.RawSetString("load", L.NewFunction(load))
}

// restrictOS keeps the os functions that neither change the host nor leave
// the process: time, date, getenv, clock and difftime.
func restrictOS(L *lua.LState) {
	full, ok := L.G.Global.RawGetString("os").(*lua.LTable)
	if !ok {
		return
	}
	safe := L.CreateTable(0, 5)
	for _, name := range []string{"time", "date", "getenv", "clock", "difftime"} {
		safe.RawSetString(name, full.RawGetString(name))
	}
	L.G.Global.RawSetString("os", safe)
	if loaded, ok := L.G.Registry.RawGetString("_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("os", safe)
	}
}

// guardStringRep bounds string.rep: gopher-lua's would try to allocate any
// size asked for, and an out-of-memory error kills the whole process.
func guardStringRep(L *lua.LState) {
	str, ok := L.G.Global.RawGetString("string").(*lua.LTable)
	if !ok {
		return
	}
	str.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		n := L.CheckInt(2)
		if n <= 0 || len(s) == 0 {
			L.Push(lua.LString(""))
			return 1
		}
		if n > maxStringRep/len(s) {
			L.RaiseError("resulting string too large")
		}
		L.Push(lua.LString(strings.Repeat(s, n)))
		return 1
	}))
}

// print writes its arguments to Options.Stdout, tab-separated, with
// __tostring honoured, as Lua's print does.
func (v *vm) print(L *lua.LState) int {
	top := L.GetTop()
	var b strings.Builder
	for i := 1; i <= top; i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	fmt.Fprint(v.stdout, b.String())
	return 0
}
