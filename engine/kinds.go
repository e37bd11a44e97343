package engine

import (
	"fmt"

	"github.com/minspace/min/engine/api"
)

// kindOf finds the registered kind of an object from its Go type.
func kindOf(obj api.Object) (api.Kind, error) {
	var name string
	switch obj.(type) {
	case *api.Pod:
		name = "Pod"
	case *api.Node:
		name = "Node"
	case *api.Namespace:
		name = "Namespace"
	case *api.ReplicationController:
		name = "ReplicationController"
	case *api.Event:
		name = "Event"
	default:
		return api.Kind{}, api.NewBadRequest(fmt.Sprintf("unsupported object type %T", obj))
	}
	k, _ := api.KindFor(name)
	return k, nil
}

// resourceKind finds a kind by its plural resource name ("pods").
func resourceKind(resource string) (api.Kind, error) {
	k, ok := api.KindFor(resource)
	if !ok {
		return api.Kind{}, api.NewNotFound("resources", resource)
	}
	return k, nil
}
