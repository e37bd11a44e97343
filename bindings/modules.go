package bindings

import (
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// function is one documented Lua function. args is the signature shown by
// help(), doc its explanation (first line: the summary).
type function struct {
	name string
	args string
	doc  string
	fn   lua.LGFunction
}

// module is one documented Lua module (a global and require("min.<name>")).
type module struct {
	name  string
	doc   string
	funcs []function
}

// methods is the documented method set of one kind's objects.
type methods struct {
	kind  string // api Kind name
	funcs []function
}

// modules is the one documentation registry: install() builds the Lua
// modules from it, help() prints it and Markdown() renders docs/lua.md.
func (s *State) modules() []module {
	return []module{
		s.globalsModule(),
		s.namespaceModule(),
		s.podModule(),
		s.nodeModule(),
		s.rcModule(),
		s.labelModule("label"),
		s.labelModule("annotation"),
		s.selectorModule(),
		s.logModule(),
		s.manifestModule(),
		s.imageModule(),
		s.codecModule("yaml"),
		s.codecModule("json"),
		s.httpModule(),
		s.watchModule(),
	}
}

// objectMethods documents the methods of each kind's objects.
func (s *State) objectMethods() []methods {
	return []methods{s.podMethods(), s.nodeMethods(), s.namespaceMethods(), s.rcMethods()}
}

// install registers every module as a global and in package.preload, and
// builds the per-kind metatables.
func (s *State) install() {
	L := s.L
	preload := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	for _, m := range s.modules() {
		if m.name == "" { // globals
			for _, f := range m.funcs {
				fn := L.NewFunction(f.fn)
				s.docs[fn] = f.name
				L.SetGlobal(f.name, fn)
			}
			continue
		}
		t := L.CreateTable(0, len(m.funcs))
		for _, f := range m.funcs {
			fn := L.NewFunction(f.fn)
			s.docs[fn] = m.name + "." + f.name
			t.RawSetString(f.name, fn)
		}
		s.docs[t] = m.name
		L.SetGlobal(m.name, t)
		preload.RawSetString("min."+m.name, L.NewFunction(func(L *lua.LState) int {
			L.Push(t)
			return 1
		}))
	}
	for _, ms := range s.objectMethods() {
		k, _ := api.KindFor(ms.kind)
		t := L.CreateTable(0, len(ms.funcs))
		for _, f := range ms.funcs {
			fn := L.NewFunction(f.fn)
			s.docs[fn] = k.Singular + ":" + f.name
			t.RawSetString(f.name, fn)
		}
		s.meta[k.Kind] = s.objectMeta(L, k, t)
	}
	for _, k := range api.Kinds {
		if s.meta[k.Kind] == nil {
			s.meta[k.Kind] = s.objectMeta(L, k, L.NewTable())
		}
	}
	s.registerVerbIO()
}

// moduleNames lists the module names, sorted (for completion).
func (s *State) moduleNames() []string {
	var out []string
	for _, m := range s.modules() {
		if m.name != "" {
			out = append(out, m.name)
		}
	}
	sort.Strings(out)
	return out
}
