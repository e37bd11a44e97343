package bindings

import (
	"encoding/json"

	lua "github.com/yuin/gopher-lua"
)

var rcKind = kindNamed("ReplicationController")

func (s *State) rcModule() module {
	return module{name: "rc", doc: "ReplicationControllers: keep N pods matching a selector running.", funcs: []function{
		{"create", "(manifest | {name=, image=, replicas=, labels=, selector=, namespace=, command=, args=, env=, ports=})", "Creates a ReplicationController from a manifest or a shorthand (the pod template gets labels, the selector defaults to them) and returns it.", s.rcCreate},
		{"get", "(name, {namespace=})", "Returns the ReplicationController, or nil and a message.", func(L *lua.LState) int { return s.lookup(L, rcKind, "rc.get") }},
		{"list", "{namespace=, selector=, all_namespaces=}", "Returns the ReplicationControllers matching the selector.", func(L *lua.LState) int { return s.listOf(L, rcKind, 1, "rc.list") }},
		{"delete", "(target, {wait=true, cascade=\"background\"|\"foreground\"|\"orphan\"})", "Deletes the ReplicationController (and, unless cascade=\"orphan\", its pods); returns the deleted names.", s.rcDelete},
		{"scale", "(target, n)", "Sets spec.replicas and returns the updated ReplicationController.", s.rcScale},
	}}
}

func (s *State) rcMethods() methods {
	return methods{kind: "ReplicationController", funcs: []function{
		{"delete", "({wait=true, cascade=})", "Deletes it (see rc.delete).", s.rcDelete},
		{"refresh", "()", "Re-reads it in place and returns it.", s.refresh(rcKind)},
		{"scale", "(n)", "Sets spec.replicas (see rc.scale).", s.rcScale},
		{"label", "({k=v}, {overwrite=false})", "Sets labels (see label.set).", s.labelSet("label")},
		{"annotate", "({k=v}, {overwrite=false})", "Sets annotations (see annotation.set).", s.labelSet("annotation")},
		{"yaml", "()", "As YAML.", s.dumpAs("yaml")},
		{"json", "()", "As JSON.", s.dumpAs("json")},
	}}
}

func (s *State) rcCreate(L *lua.LState) int {
	const fn = "rc.create"
	t := L.CheckTable(1)
	v := lua.LValue(t)
	if isShorthand(t) {
		v = s.rcShorthand(L, t, fn)
	}
	L.Push(s.createFrom(L, rcKind, v, fn, ""))
	return 1
}

func (s *State) rcShorthand(L *lua.LState, t *lua.LTable, fn string) *lua.LTable {
	s.checkKeys(L, t, fn, []string{"name", "image", "replicas", "labels", "selector", "namespace", "command", "args", "env", "ports"})
	podT := L.CreateTable(0, 4)
	for _, k := range []string{"name", "image", "command", "args", "env", "ports"} {
		podT.RawSetString(k, t.RawGetString(k))
	}
	labels := t.RawGetString("labels")
	if labels == lua.LNil {
		l := L.CreateTable(0, 4)
		l.RawSetString("app", t.RawGetString("name"))
		labels = l
	}
	podT.RawSetString("labels", labels)
	pod := s.podShorthand(L, podT)
	tmpl := L.CreateTable(0, 4)
	podMeta := L.CreateTable(0, 4)
	podMeta.RawSetString("labels", labels)
	tmpl.RawSetString("metadata", podMeta)
	tmpl.RawSetString("spec", pod.RawGetString("spec"))
	spec := L.CreateTable(0, 4)
	spec.RawSetString("replicas", t.RawGetString("replicas"))
	sel := t.RawGetString("selector")
	if sel == lua.LNil {
		sel = labels
	}
	spec.RawSetString("selector", sel)
	spec.RawSetString("template", tmpl)
	meta := L.CreateTable(0, 4)
	meta.RawSetString("name", t.RawGetString("name"))
	meta.RawSetString("namespace", t.RawGetString("namespace"))
	meta.RawSetString("labels", labels)
	m := L.CreateTable(0, 4)
	m.RawSetString("metadata", meta)
	m.RawSetString("spec", spec)
	return m
}

func (s *State) rcDelete(L *lua.LState) int {
	r := s.target(L, 1, rcKind, "rc.delete", "")
	L.Push(s.deleteRefs(L, []ref{r}, s.deleteOptions(L, 2, "rc.delete")))
	return 1
}

func (s *State) rcScale(L *lua.LState) int {
	r := s.target(L, 1, rcKind, "rc.scale", "")
	n := L.CheckInt(2)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": n}})
	L.Push(s.updateSelf(L, 1, s.patch(L, r, patch)))
	return 1
}
