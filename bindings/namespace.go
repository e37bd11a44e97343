package bindings

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

var namespaceKind = kindNamed("Namespace")

func (s *State) namespaceModule() module {
	return module{name: "namespace", doc: "Namespaces, and the current namespace of the run.", funcs: []function{
		{"create", "(name | manifest)", "Creates a namespace and returns it.", s.namespaceCreate},
		{"get", "(name)", "Returns the namespace, or nil and a message when it does not exist.", func(L *lua.LState) int { return s.lookup(L, namespaceKind, "namespace.get") }},
		{"list", "{selector=}", "Returns the namespaces matching the label selector.", func(L *lua.LState) int { return s.listOf(L, namespaceKind, 1, "namespace.list") }},
		{"delete", "(name, {wait=true, timeout=})", "Deletes the namespace and, like kubectl, waits until it and its content are gone unless wait=false.", s.namespaceDelete},
		{"use", "(name)", "Makes name the current namespace for the rest of the run (the default is \"default\").", s.namespaceUse},
		{"current", "()", "Returns the current namespace.", func(L *lua.LState) int { L.Push(lua.LString(s.ns)); return 1 }},
	}}
}

func (s *State) namespaceMethods() methods {
	return methods{kind: "Namespace", funcs: []function{
		{"delete", "({wait=true})", "Deletes the namespace (see namespace.delete).", s.namespaceDelete},
		{"refresh", "()", "Re-reads the namespace in place and returns it.", s.refresh(namespaceKind)},
		{"label", "({k=v}, {overwrite=false})", "Sets labels (see label.set).", s.labelSet("label")},
		{"annotate", "({k=v}, {overwrite=false})", "Sets annotations (see annotation.set).", s.labelSet("annotation")},
		{"yaml", "()", "The namespace as YAML.", s.dumpAs("yaml")},
		{"json", "()", "The namespace as JSON.", s.dumpAs("json")},
	}}
}

func (s *State) namespaceCreate(L *lua.LState) int {
	v := L.Get(1)
	if name, ok := v.(lua.LString); ok {
		t := L.CreateTable(0, 4)
		meta := L.CreateTable(0, 4)
		meta.RawSetString("name", name)
		t.RawSetString("metadata", meta)
		v = t
	}
	L.Push(s.createFrom(L, namespaceKind, v, "namespace.create", ""))
	return 1
}

func (s *State) namespaceDelete(L *lua.LState) int {
	r := s.target(L, 1, namespaceKind, "namespace.delete", "")
	if r.kind.Kind != "Namespace" {
		s.argError(L, 1, "namespace.delete", "a namespace expected, got "+r.String())
	}
	L.Push(s.deleteRefs(L, []ref{r}, s.deleteOptions(L, 2, "namespace.delete")))
	return 1
}

func (s *State) namespaceUse(L *lua.LState) int {
	name := L.CheckString(1)
	if errs := validNamespaceName(name); errs != "" {
		s.raise(L, api.ReasonInvalid, "namespace.use: invalid namespace %q: %s", name, errs)
	}
	s.ns = name
	return 0
}
