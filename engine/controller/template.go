package controller

import (
	"maps"
	"slices"

	"github.com/minspace/min/engine/api"
)

// ControllerRef returns the ownerReference an RC puts on the pods it
// controls.
func ControllerRef(rc *api.ReplicationController) api.OwnerReference {
	yes := true
	block := true
	return api.OwnerReference{
		APIVersion:         "v1",
		Kind:               "ReplicationController",
		Name:               rc.Name,
		UID:                rc.UID,
		Controller:         &yes,
		BlockOwnerDeletion: &block,
	}
}

// NewPodFromTemplate returns the pod rc creates: generateName "<rc>-",
// labels, annotations and finalizers from the template, the template's
// spec, the RC's namespace and a controller ownerReference to it (as
// Kubernetes' GetPodFromTemplate). It returns nil when rc has no template.
func NewPodFromTemplate(rc *api.ReplicationController) *api.Pod {
	t := rc.Spec.Template
	if t == nil {
		return nil
	}
	pod := &api.Pod{
		TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: api.ObjectMeta{
			GenerateName:    generateName(rc.Name),
			Namespace:       rc.Namespace,
			Labels:          maps.Clone(t.Labels),
			Annotations:     maps.Clone(t.Annotations),
			Finalizers:      slices.Clone(t.Finalizers),
			OwnerReferences: []api.OwnerReference{ControllerRef(rc)},
		},
	}
	t.Spec.DeepCopyInto(&pod.Spec)
	return pod
}

// generateName is "<name>-", or the bare name when the dash would make an
// invalid prefix (getPodsPrefix).
func generateName(name string) string {
	prefix := name + "-"
	if len(api.NameIsDNSSubdomain(prefix, true)) != 0 {
		return name
	}
	return prefix
}

// controllerOf returns the pod's controller ownerReference, or nil.
func controllerOf(p *api.Pod) *api.OwnerReference {
	for i := range p.OwnerReferences {
		if c := p.OwnerReferences[i].Controller; c != nil && *c {
			return &p.OwnerReferences[i]
		}
	}
	return nil
}

// SetControllerRef adopts pod for rc: it appends rc's controller
// ownerReference. It changes nothing and returns false when the pod already
// has a controller.
func SetControllerRef(pod *api.Pod, rc *api.ReplicationController) bool {
	if controllerOf(pod) != nil {
		return false
	}
	pod.OwnerReferences = append(pod.OwnerReferences, ControllerRef(rc))
	return true
}

// RemoveControllerRef releases pod from rc: it removes the ownerReferences
// that carry rc's uid, as the release patch does, and reports whether it
// removed any.
func RemoveControllerRef(pod *api.Pod, rc *api.ReplicationController) bool {
	n := len(pod.OwnerReferences)
	pod.OwnerReferences = slices.DeleteFunc(pod.OwnerReferences, func(r api.OwnerReference) bool { return r.UID == rc.UID })
	if len(pod.OwnerReferences) == 0 {
		pod.OwnerReferences = nil
	}
	return len(pod.OwnerReferences) != n
}
