package api

import "maps"

// Hand-written deep copies. The store copies every object it hands out, so
// these avoid reflection and allocate only for what is non-empty: a nil map
// or slice stays nil, an empty one stays empty.

func copyStrings(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	copy(out, in)
	return out
}

// copyStringMap uses maps.Clone, which copies the table wholesale rather
// than rehashing every key.
func copyStringMap(in map[string]string) map[string]string { return maps.Clone(in) }

func copyPtr[T any](in *T) *T {
	if in == nil {
		return nil
	}
	out := *in
	return &out
}

// DeepCopyInto copies m into out.
func (m *ObjectMeta) DeepCopyInto(out *ObjectMeta) {
	*out = *m
	out.DeletionTimestamp = copyPtr(m.DeletionTimestamp)
	out.DeletionGracePeriodSeconds = copyPtr(m.DeletionGracePeriodSeconds)
	out.Labels = copyStringMap(m.Labels)
	out.Annotations = copyStringMap(m.Annotations)
	if m.OwnerReferences != nil {
		out.OwnerReferences = make([]OwnerReference, len(m.OwnerReferences))
		for i := range m.OwnerReferences {
			m.OwnerReferences[i].DeepCopyInto(&out.OwnerReferences[i])
		}
	}
	out.Finalizers = copyStrings(m.Finalizers)
}

// DeepCopy returns a copy of m sharing no memory with it.
func (m *ObjectMeta) DeepCopy() *ObjectMeta {
	if m == nil {
		return nil
	}
	out := new(ObjectMeta)
	m.DeepCopyInto(out)
	return out
}

// DeepCopyInto copies r into out.
func (r *OwnerReference) DeepCopyInto(out *OwnerReference) {
	*out = *r
	out.Controller = copyPtr(r.Controller)
	out.BlockOwnerDeletion = copyPtr(r.BlockOwnerDeletion)
}

// DeepCopy returns a copy of l.
func (l ResourceList) DeepCopy() ResourceList {
	if l == nil {
		return nil
	}
	out := make(ResourceList, len(l))
	for k, q := range l {
		out[k] = q.DeepCopy()
	}
	return out
}

// DeepCopyInto copies p into out.
func (p *Pod) DeepCopyInto(out *Pod) {
	out.TypeMeta = p.TypeMeta
	p.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	p.Spec.DeepCopyInto(&out.Spec)
	p.Status.DeepCopyInto(&out.Status)
}

// DeepCopy returns a copy of p sharing no memory with it.
func (p *Pod) DeepCopy() *Pod {
	if p == nil {
		return nil
	}
	out := new(Pod)
	p.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements Object.
func (p *Pod) DeepCopyObject() Object { return p.DeepCopy() }

// DeepCopyInto copies s into out.
func (s *PodSpec) DeepCopyInto(out *PodSpec) {
	*out = *s
	if s.Containers != nil {
		out.Containers = make([]Container, len(s.Containers))
		for i := range s.Containers {
			s.Containers[i].DeepCopyInto(&out.Containers[i])
		}
	}
	out.TerminationGracePeriodSeconds = copyPtr(s.TerminationGracePeriodSeconds)
	out.NodeSelector = copyStringMap(s.NodeSelector)
	out.ShareProcessNamespace = copyPtr(s.ShareProcessNamespace)
	if s.Tolerations != nil {
		out.Tolerations = make([]Toleration, len(s.Tolerations))
		for i := range s.Tolerations {
			out.Tolerations[i] = s.Tolerations[i]
			out.Tolerations[i].TolerationSeconds = copyPtr(s.Tolerations[i].TolerationSeconds)
		}
	}
	out.Affinity = s.Affinity.DeepCopy()
}

// DeepCopyInto copies c into out.
func (c *Container) DeepCopyInto(out *Container) {
	*out = *c
	out.Command = copyStrings(c.Command)
	out.Args = copyStrings(c.Args)
	if c.Ports != nil {
		out.Ports = make([]ContainerPort, len(c.Ports))
		copy(out.Ports, c.Ports)
	}
	if c.Env != nil {
		out.Env = make([]EnvVar, len(c.Env))
		copy(out.Env, c.Env)
	}
	out.Resources.Limits = c.Resources.Limits.DeepCopy()
	out.Resources.Requests = c.Resources.Requests.DeepCopy()
}

// DeepCopy returns a copy of a (nil for nil).
func (a *Affinity) DeepCopy() *Affinity {
	if a == nil {
		return nil
	}
	out := &Affinity{}
	if a.NodeAffinity != nil {
		out.NodeAffinity = &NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.DeepCopy(),
		}
	}
	return out
}

// DeepCopy returns a copy of s (nil for nil).
func (s *NodeSelector) DeepCopy() *NodeSelector {
	if s == nil {
		return nil
	}
	out := &NodeSelector{}
	if s.NodeSelectorTerms != nil {
		out.NodeSelectorTerms = make([]NodeSelectorTerm, len(s.NodeSelectorTerms))
		for i, t := range s.NodeSelectorTerms {
			if t.MatchExpressions == nil {
				continue
			}
			exprs := make([]NodeSelectorRequirement, len(t.MatchExpressions))
			for j, e := range t.MatchExpressions {
				exprs[j] = NodeSelectorRequirement{Key: e.Key, Operator: e.Operator, Values: copyStrings(e.Values)}
			}
			out.NodeSelectorTerms[i].MatchExpressions = exprs
		}
	}
	return out
}

// DeepCopyInto copies s into out.
func (s *PodStatus) DeepCopyInto(out *PodStatus) {
	*out = *s
	if s.Conditions != nil {
		out.Conditions = make([]PodCondition, len(s.Conditions))
		for i := range s.Conditions {
			out.Conditions[i] = s.Conditions[i]
			out.Conditions[i].LastProbeTime = copyPtr(s.Conditions[i].LastProbeTime)
		}
	}
	if s.HostIPs != nil {
		out.HostIPs = make([]HostIP, len(s.HostIPs))
		copy(out.HostIPs, s.HostIPs)
	}
	if s.PodIPs != nil {
		out.PodIPs = make([]PodIP, len(s.PodIPs))
		copy(out.PodIPs, s.PodIPs)
	}
	out.StartTime = copyPtr(s.StartTime)
	if s.ContainerStatuses != nil {
		out.ContainerStatuses = make([]ContainerStatus, len(s.ContainerStatuses))
		for i := range s.ContainerStatuses {
			s.ContainerStatuses[i].DeepCopyInto(&out.ContainerStatuses[i])
		}
	}
}

// DeepCopyInto copies s into out.
func (s *ContainerStatus) DeepCopyInto(out *ContainerStatus) {
	*out = *s
	s.State.DeepCopyInto(&out.State)
	s.LastState.DeepCopyInto(&out.LastState)
	out.Started = copyPtr(s.Started)
}

// DeepCopyInto copies s into out.
func (s *ContainerState) DeepCopyInto(out *ContainerState) {
	out.Waiting = copyPtr(s.Waiting)
	out.Running = copyPtr(s.Running)
	out.Terminated = copyPtr(s.Terminated)
}

// DeepCopyInto copies n into out.
func (n *Node) DeepCopyInto(out *Node) {
	out.TypeMeta = n.TypeMeta
	n.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec = n.Spec
	out.Spec.PodCIDRs = copyStrings(n.Spec.PodCIDRs)
	if n.Spec.Taints != nil {
		out.Spec.Taints = make([]Taint, len(n.Spec.Taints))
		for i := range n.Spec.Taints {
			out.Spec.Taints[i] = n.Spec.Taints[i]
			out.Spec.Taints[i].TimeAdded = copyPtr(n.Spec.Taints[i].TimeAdded)
		}
	}
	out.Status = n.Status
	out.Status.Capacity = n.Status.Capacity.DeepCopy()
	out.Status.Allocatable = n.Status.Allocatable.DeepCopy()
	if n.Status.Conditions != nil {
		out.Status.Conditions = make([]NodeCondition, len(n.Status.Conditions))
		copy(out.Status.Conditions, n.Status.Conditions)
	}
	if n.Status.Addresses != nil {
		out.Status.Addresses = make([]NodeAddress, len(n.Status.Addresses))
		copy(out.Status.Addresses, n.Status.Addresses)
	}
}

// DeepCopy returns a copy of n sharing no memory with it.
func (n *Node) DeepCopy() *Node {
	if n == nil {
		return nil
	}
	out := new(Node)
	n.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements Object.
func (n *Node) DeepCopyObject() Object { return n.DeepCopy() }

// DeepCopyInto copies n into out.
func (n *Namespace) DeepCopyInto(out *Namespace) {
	out.TypeMeta = n.TypeMeta
	n.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Finalizers = copyStrings(n.Spec.Finalizers)
	out.Status = n.Status
}

// DeepCopy returns a copy of n sharing no memory with it.
func (n *Namespace) DeepCopy() *Namespace {
	if n == nil {
		return nil
	}
	out := new(Namespace)
	n.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements Object.
func (n *Namespace) DeepCopyObject() Object { return n.DeepCopy() }

// DeepCopyInto copies r into out.
func (r *ReplicationController) DeepCopyInto(out *ReplicationController) {
	out.TypeMeta = r.TypeMeta
	r.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec = r.Spec
	out.Spec.Replicas = copyPtr(r.Spec.Replicas)
	out.Spec.Selector = copyStringMap(r.Spec.Selector)
	out.Spec.Template = r.Spec.Template.DeepCopy()
	out.Status = r.Status
}

// DeepCopy returns a copy of r sharing no memory with it.
func (r *ReplicationController) DeepCopy() *ReplicationController {
	if r == nil {
		return nil
	}
	out := new(ReplicationController)
	r.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements Object.
func (r *ReplicationController) DeepCopyObject() Object { return r.DeepCopy() }

// DeepCopy returns a copy of t (nil for nil).
func (t *PodTemplateSpec) DeepCopy() *PodTemplateSpec {
	if t == nil {
		return nil
	}
	out := new(PodTemplateSpec)
	t.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	t.Spec.DeepCopyInto(&out.Spec)
	return out
}

// DeepCopy returns a copy of e sharing no memory with it.
func (e *Event) DeepCopy() *Event {
	if e == nil {
		return nil
	}
	out := new(Event)
	*out = *e
	e.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return out
}

// DeepCopyObject implements Object.
func (e *Event) DeepCopyObject() Object { return e.DeepCopy() }

// DeepCopy returns a copy of l sharing no memory with it.
func (l *PodList) DeepCopy() *PodList {
	out := &PodList{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]Pod, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// DeepCopy returns a copy of l sharing no memory with it.
func (l *NodeList) DeepCopy() *NodeList {
	out := &NodeList{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]Node, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// DeepCopy returns a copy of l sharing no memory with it.
func (l *NamespaceList) DeepCopy() *NamespaceList {
	out := &NamespaceList{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]Namespace, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// DeepCopy returns a copy of l sharing no memory with it.
func (l *ReplicationControllerList) DeepCopy() *ReplicationControllerList {
	out := &ReplicationControllerList{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]ReplicationController, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// DeepCopy returns a copy of l sharing no memory with it.
func (l *EventList) DeepCopy() *EventList {
	out := &EventList{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]Event, len(l.Items))
		for i := range l.Items {
			out.Items[i] = *l.Items[i].DeepCopy()
		}
	}
	return out
}

// DeepCopy returns a copy of l sharing no memory with it.
func (l *List) DeepCopy() *List {
	out := &List{TypeMeta: l.TypeMeta, ListMeta: l.ListMeta}
	if l.Items != nil {
		out.Items = make([]Object, len(l.Items))
		for i, o := range l.Items {
			if o != nil {
				out.Items[i] = o.DeepCopyObject()
			}
		}
	}
	return out
}
