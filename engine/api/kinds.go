package api

// Kind describes one stored kind: its names and whether it is namespaced.
type Kind struct {
	Kind       string   // "Pod"
	Resource   string   // "pods"
	Singular   string   // "pod"
	ShortNames []string // "po"
	Namespaced bool
	New        func() Object
}

func (p *Pod) GetTypeMeta() *TypeMeta                       { return &p.TypeMeta }
func (p *Pod) GetObjectMeta() *ObjectMeta                   { return &p.ObjectMeta }
func (n *Node) GetTypeMeta() *TypeMeta                      { return &n.TypeMeta }
func (n *Node) GetObjectMeta() *ObjectMeta                  { return &n.ObjectMeta }
func (n *Namespace) GetTypeMeta() *TypeMeta                 { return &n.TypeMeta }
func (n *Namespace) GetObjectMeta() *ObjectMeta             { return &n.ObjectMeta }
func (r *ReplicationController) GetTypeMeta() *TypeMeta     { return &r.TypeMeta }
func (r *ReplicationController) GetObjectMeta() *ObjectMeta { return &r.ObjectMeta }
func (e *Event) GetTypeMeta() *TypeMeta                     { return &e.TypeMeta }
func (e *Event) GetObjectMeta() *ObjectMeta                 { return &e.ObjectMeta }

// Kinds lists every kind Min stores, in discovery order.
var Kinds = []Kind{
	{Kind: "Pod", Resource: "pods", Singular: "pod", ShortNames: []string{"po"}, Namespaced: true, New: func() Object { return &Pod{} }},
	{Kind: "Node", Resource: "nodes", Singular: "node", ShortNames: []string{"no"}, New: func() Object { return &Node{} }},
	{Kind: "Namespace", Resource: "namespaces", Singular: "namespace", ShortNames: []string{"ns"}, New: func() Object { return &Namespace{} }},
	{Kind: "ReplicationController", Resource: "replicationcontrollers", Singular: "replicationcontroller", ShortNames: []string{"rc"}, Namespaced: true, New: func() Object { return &ReplicationController{} }},
	{Kind: "Event", Resource: "events", Singular: "event", ShortNames: []string{"ev"}, Namespaced: true, New: func() Object { return &Event{} }},
}

// KindFor finds a kind by kind name, resource, singular or short name.
func KindFor(name string) (Kind, bool) {
	for _, k := range Kinds {
		if name == k.Kind || name == k.Resource || name == k.Singular {
			return k, true
		}
		for _, s := range k.ShortNames {
			if name == s {
				return k, true
			}
		}
	}
	return Kind{}, false
}

// KindOf returns the kind of obj from its Go type (TypeMeta may be empty).
func KindOf(obj Object) (Kind, bool) {
	var name string
	switch obj.(type) {
	case *Pod:
		name = "Pod"
	case *Node:
		name = "Node"
	case *Namespace:
		name = "Namespace"
	case *ReplicationController:
		name = "ReplicationController"
	case *Event:
		name = "Event"
	default:
		return Kind{}, false
	}
	return KindByName(name)
}

// KindByName finds a kind by its exact Kind name ("Pod"), the only
// spelling a manifest's kind field accepts (unlike KindFor, which also
// takes resources and short names).
func KindByName(kind string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return Kind{}, false
}

// SetTypeMeta fills in obj's apiVersion ("v1") and kind from its Go type,
// as the API server does on every object it returns.
func SetTypeMeta(obj Object) {
	if k, ok := KindOf(obj); ok {
		*obj.GetTypeMeta() = TypeMeta{APIVersion: "v1", Kind: k.Kind}
	}
}
