package store

import (
	"strconv"

	"k8s.io/apimachinery/pkg/fields"

	"github.com/minspace/min/engine/api"
)

// fieldFunc knows the selectable fields of one kind: metadata.name and
// metadata.namespace for all, and the kind's own ones, as Kubernetes'
// registries declare them (GetAttrs / field label conversion funcs).
type fieldFunc struct {
	extra   func(obj api.Object, field string) (string, bool)
	indexed []string // fields with an index (equality lookups)
}

// get returns the value of field on obj, and false if the kind has no such
// selectable field.
func (f fieldFunc) get(obj api.Object, field string) (string, bool) {
	m := obj.GetObjectMeta()
	switch field {
	case "metadata.name":
		return m.Name, true
	case "metadata.namespace":
		return m.Namespace, true
	}
	if f.extra == nil {
		return "", false
	}
	return f.extra(obj, field)
}

// fieldsFor picks the field extraction for the Go type of obj.
func fieldsFor(obj api.Object) fieldFunc {
	switch obj.(type) {
	case *api.Pod:
		return fieldFunc{extra: podField, indexed: []string{"spec.nodeName", "status.phase"}}
	case *api.Node:
		return fieldFunc{extra: nodeField}
	case *api.Event:
		return fieldFunc{extra: eventField}
	case *api.Namespace:
		return fieldFunc{extra: namespaceField}
	case *api.ReplicationController:
		return fieldFunc{extra: rcField}
	}
	return fieldFunc{}
}

func podField(obj api.Object, field string) (string, bool) {
	p := obj.(*api.Pod)
	switch field {
	case "spec.nodeName":
		return p.Spec.NodeName, true
	case "spec.restartPolicy":
		return p.Spec.RestartPolicy, true
	case "status.phase":
		return p.Status.Phase, true
	case "status.podIP":
		return p.Status.PodIP, true
	}
	return "", false
}

func nodeField(obj api.Object, field string) (string, bool) {
	if field == "spec.unschedulable" {
		return strconv.FormatBool(obj.(*api.Node).Spec.Unschedulable), true
	}
	return "", false
}

func namespaceField(obj api.Object, field string) (string, bool) {
	if field == "status.phase" {
		return obj.(*api.Namespace).Status.Phase, true
	}
	return "", false
}

func rcField(obj api.Object, field string) (string, bool) {
	if field == "status.replicas" {
		return strconv.Itoa(int(obj.(*api.ReplicationController).Status.Replicas)), true
	}
	return "", false
}

func eventField(obj api.Object, field string) (string, bool) {
	e := obj.(*api.Event)
	switch field {
	case "involvedObject.kind":
		return e.InvolvedObject.Kind, true
	case "involvedObject.namespace":
		return e.InvolvedObject.Namespace, true
	case "involvedObject.name":
		return e.InvolvedObject.Name, true
	case "involvedObject.uid":
		return e.InvolvedObject.UID, true
	case "involvedObject.apiVersion":
		return e.InvolvedObject.APIVersion, true
	case "involvedObject.resourceVersion":
		return e.InvolvedObject.ResourceVersion, true
	case "involvedObject.fieldPath":
		return e.InvolvedObject.FieldPath, true
	case "reason":
		return e.Reason, true
	case "reportingComponent":
		return e.ReportingController, true
	case "source":
		return e.Source.Component, true
	case "type":
		return e.Type, true
	}
	return "", false
}

// checkFields refuses a selector on a field the kind does not support,
// with Kubernetes' text.
func (t *table) checkFields(sel fields.Selector) error {
	if sel == nil {
		return nil
	}
	zero := t.kind.New()
	for _, r := range sel.Requirements() {
		if _, ok := t.fields.get(zero, r.Field); !ok {
			return api.NewBadRequest("field label not supported: " + r.Field)
		}
	}
	return nil
}

// objFields adapts one object to fields.Fields without building a map.
type objFields struct {
	f   fieldFunc
	obj api.Object
}

func (o *objFields) Has(field string) bool {
	_, ok := o.f.get(o.obj, field)
	return ok
}

func (o *objFields) Get(field string) string {
	v, _ := o.f.get(o.obj, field)
	return v
}
