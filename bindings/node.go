package bindings

import (
	"encoding/json"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

var nodeKind = kindNamed("Node")

func (s *State) nodeModule() module {
	return module{name: "node", doc: "Nodes: the host, virtual and simulated nodes.", funcs: []function{
		{"list", "{selector=}", "Returns the nodes matching the label selector.", func(L *lua.LState) int { return s.listOf(L, nodeKind, 1, "node.list") }},
		{"get", "(name)", "Returns the node, or nil and a message when it does not exist.", func(L *lua.LState) int { return s.lookup(L, nodeKind, "node.get") }},
		{"create", "{name=, labels=, capacity=, simulated=}", "Registers a virtual node backed by this host (its pods really run, within capacity), or with simulated=true a node whose pods are marked Running without processes; a manifest table works too.", s.nodeCreate},
		{"delete", "(name, {wait=true})", "Deletes the node.", s.nodeDelete},
		{"cordon", "(name)", "Marks the node unschedulable and returns it.", s.nodeCordon(true)},
		{"uncordon", "(name)", "Marks the node schedulable again and returns it.", s.nodeCordon(false)},
		{"drain", "(name, {wait=true, grace=})", "Cordons the node and deletes its pods (ReplicationControllers re-create theirs elsewhere); returns the deleted pod names.", s.nodeDrain},
		{"label", "(name, {k=v}, {overwrite=false})", "Sets node labels (see label.set).", s.nodeLabel},
	}}
}

func (s *State) nodeMethods() methods {
	return methods{kind: "Node", funcs: []function{
		{"delete", "({wait=true})", "Deletes the node.", s.nodeDelete},
		{"refresh", "()", "Re-reads the node in place and returns it.", s.refresh(nodeKind)},
		{"cordon", "()", "Marks the node unschedulable.", s.nodeCordon(true)},
		{"uncordon", "()", "Marks the node schedulable.", s.nodeCordon(false)},
		{"drain", "({wait=true, grace=})", "Cordons the node and deletes its pods.", s.nodeDrain},
		{"label", "({k=v}, {overwrite=false})", "Sets labels (see label.set).", s.nodeLabel},
		{"annotate", "({k=v}, {overwrite=false})", "Sets annotations (see annotation.set).", s.labelSet("annotation")},
		{"yaml", "()", "The node as YAML.", s.dumpAs("yaml")},
		{"json", "()", "The node as JSON.", s.dumpAs("json")},
	}}
}

func (s *State) nodeCreate(L *lua.LState) int {
	const fn = "node.create"
	t := L.CheckTable(1)
	v := lua.LValue(t)
	if isShorthand(t) {
		s.checkKeys(L, t, fn, []string{"name", "labels", "capacity", "simulated"})
		meta := L.CreateTable(0, 4)
		meta.RawSetString("name", t.RawGetString("name"))
		meta.RawSetString("labels", t.RawGetString("labels"))
		// A virtual node is backed by this host (its pods really run); a
		// simulated one marks its pods Running without processes.
		typ := api.NodeVirtual
		if lua.LVAsBool(t.RawGetString("simulated")) {
			typ = api.NodeSimulated
		}
		ann := L.CreateTable(0, 4)
		ann.RawSetString(api.NodeTypeAnnotation, lua.LString(typ))
		meta.RawSetString("annotations", ann)
		m := L.CreateTable(0, 4)
		m.RawSetString("metadata", meta)
		if c := t.RawGetString("capacity"); c != lua.LNil {
			st := L.CreateTable(0, 4)
			st.RawSetString("capacity", c)
			st.RawSetString("allocatable", c)
			m.RawSetString("status", st)
		}
		v = m
	}
	L.Push(s.createFrom(L, nodeKind, v, fn, ""))
	return 1
}

func (s *State) nodeDelete(L *lua.LState) int {
	r := s.target(L, 1, nodeKind, "node.delete", "")
	L.Push(s.deleteRefs(L, []ref{r}, s.deleteOptions(L, 2, "node.delete")))
	return 1
}

func (s *State) nodeCordon(on bool) lua.LGFunction {
	return func(L *lua.LState) int {
		r := s.target(L, 1, nodeKind, "node.cordon", "")
		patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"unschedulable": on}})
		L.Push(s.updateSelf(L, 1, s.patch(L, r, patch)))
		return 1
	}
}

func (s *State) nodeDrain(L *lua.LState) int {
	const fn = "node.drain"
	r := s.target(L, 1, nodeKind, fn, "")
	d := s.deleteOptions(L, 2, fn)
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"unschedulable": true}})
	s.patch(L, r, patch)
	list, err := s.api(L).List(ctxOf(L), "pods", cluster.ListOptions{FieldSelector: "spec.nodeName=" + r.name})
	if err != nil {
		s.raiseErr(L, err)
	}
	var refs []ref
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		refs = append(refs, ref{kind: podKind, ns: m.Namespace, name: m.Name})
	}
	L.Push(s.deleteRefs(L, refs, d))
	return 1
}

func (s *State) nodeLabel(L *lua.LState) int {
	if name, ok := L.Get(1).(lua.LString); ok && !strings.Contains(string(name), "/") {
		L.Replace(1, lua.LString("node/"+string(name)))
	}
	return s.labelSet("label")(L)
}

// validNamespaceName checks a namespace name with Kubernetes' own rule.
func validNamespaceName(name string) string {
	if errs := api.NameIsDNSLabel(name, false); len(errs) > 0 {
		return strings.Join(errs, "; ")
	}
	return ""
}

var _ = api.ReasonInvalid
