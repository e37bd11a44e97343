package api

import "strings"

// Values Kubernetes fills in when a manifest leaves them out.
const (
	RestartPolicyAlways    = "Always"
	RestartPolicyOnFailure = "OnFailure"
	RestartPolicyNever     = "Never"

	PullAlways       = "Always"
	PullIfNotPresent = "IfNotPresent"
	PullNever        = "Never"

	ProtocolTCP  = "TCP"
	ProtocolUDP  = "UDP"
	ProtocolSCTP = "SCTP"

	DNSClusterFirst            = "ClusterFirst"
	DNSClusterFirstWithHostNet = "ClusterFirstWithHostNet"
	DNSDefault                 = "Default"
	DNSNone                    = "None"

	NamespaceActive      = "Active"
	NamespaceTerminating = "Terminating"

	// FinalizerKubernetes keeps a terminating namespace until its content is gone.
	FinalizerKubernetes = "kubernetes"

	// DefaultTerminationGracePeriodSeconds is v1.DefaultTerminationGracePeriodSeconds.
	DefaultTerminationGracePeriodSeconds int64 = 30
)

// SetDefaults fills in what Kubernetes' API defaulting fills in for obj,
// in place. It is idempotent and leaves every value the user set alone
// (except quantities, which are rounded up to milli scale as upstream does).
func SetDefaults(obj Object) {
	switch o := obj.(type) {
	case *Pod:
		defaultPod(o)
	case *ReplicationController:
		defaultRC(o)
	case *Namespace:
		defaultNamespace(o)
	case *Node:
		defaultNode(o)
	}
}

// defaultPod is SetDefaults_Pod: limits become requests where a request is
// missing (pods only, not RC templates, as upstream), then the spec defaults.
func defaultPod(p *Pod) {
	for i := range p.Spec.Containers {
		r := &p.Spec.Containers[i].Resources
		for name, q := range r.Limits {
			if _, ok := r.Requests[name]; ok {
				continue
			}
			if r.Requests == nil {
				r.Requests = make(ResourceList, len(r.Limits))
			}
			r.Requests[name] = q.DeepCopy()
		}
	}
	defaultPodSpec(&p.Spec)
}

// defaultPodSpec is SetDefaults_PodSpec plus the container, port and
// resource-list defaults nested in it.
func defaultPodSpec(s *PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = RestartPolicyAlways
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = DNSClusterFirst
	}
	if s.TerminationGracePeriodSeconds == nil {
		g := DefaultTerminationGracePeriodSeconds
		s.TerminationGracePeriodSeconds = &g
	} else if *s.TerminationGracePeriodSeconds < 0 {
		// Kubernetes treats a negative grace period as 1 (the minimum).
		g := int64(1)
		s.TerminationGracePeriodSeconds = &g
	}
	for i := range s.Containers {
		defaultContainer(&s.Containers[i])
	}
}

func defaultContainer(c *Container) {
	if c.ImagePullPolicy == "" {
		if imageTag(c.Image) == "latest" {
			c.ImagePullPolicy = PullAlways
		} else {
			c.ImagePullPolicy = PullIfNotPresent
		}
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = ProtocolTCP
		}
	}
	roundUpMilli(c.Resources.Limits)
	roundUpMilli(c.Resources.Requests)
}

// imageTag returns an image reference's tag: "latest" when it has neither
// tag nor digest (as Kubernetes' parsers.ParseImageName does), "" when it
// has only a digest.
func imageTag(image string) string {
	ref, _, hasDigest := strings.Cut(image, "@")
	name := ref
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		name = ref[i+1:]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	if hasDigest {
		return ""
	}
	return "latest"
}

// roundUpMilli is SetDefaults_ResourceList: every quantity rounded up to
// milli scale (0.1m -> 1m, 5n -> 1m).
func roundUpMilli(l ResourceList) {
	for name, q := range l {
		q.RoundUp(-3)
		l[name] = q
	}
}

// defaultRC is SetDefaults_ReplicationController: selector and labels from
// the template's labels, replicas 1, and the pod-spec defaults on the
// template.
func defaultRC(r *ReplicationController) {
	if t := r.Spec.Template; t != nil && len(t.Labels) > 0 {
		if len(r.Spec.Selector) == 0 {
			r.Spec.Selector = copyStringMap(t.Labels)
		}
		if len(r.Labels) == 0 {
			r.Labels = copyStringMap(t.Labels)
		}
	}
	if r.Spec.Replicas == nil {
		one := int32(1)
		r.Spec.Replicas = &one
	}
	if r.Spec.Template != nil {
		defaultPodSpec(&r.Spec.Template.Spec)
	}
}

// defaultNamespace: phase Active (SetDefaults_NamespaceStatus) and the
// kubernetes finalizer (the namespace strategy's PrepareForCreate).
func defaultNamespace(n *Namespace) {
	if n.Status.Phase == "" {
		n.Status.Phase = NamespaceActive
	}
	if len(n.Spec.Finalizers) == 0 {
		n.Spec.Finalizers = []string{FinalizerKubernetes}
	}
}

// defaultNode is SetDefaults_NodeStatus: allocatable defaults to capacity.
func defaultNode(n *Node) {
	if n.Status.Allocatable == nil && n.Status.Capacity != nil {
		n.Status.Allocatable = n.Status.Capacity.DeepCopy()
	}
}
