package sched

import (
	"fmt"

	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/api/resource"
)

// nodeOpt and podOpt tweak the objects the tests build.
type (
	nodeOpt func(*api.Node)
	podOpt  func(*api.Pod)
)

// mkNode returns a Ready node offering cpu, memory and pods.
func mkNode(name, cpu, mem string, pods int, opts ...nodeOpt) *api.Node {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}}}
	n.Status.Allocatable = api.ResourceList{
		"cpu":    resource.MustParse(cpu),
		"memory": resource.MustParse(mem),
		"pods":   *resource.NewQuantity(int64(pods), resource.DecimalSI),
	}
	n.Status.Conditions = []api.NodeCondition{{Type: "Ready", Status: "True"}}
	for _, o := range opts {
		o(n)
	}
	return n
}

func withLabels(kv ...string) nodeOpt {
	return func(n *api.Node) {
		for i := 0; i+1 < len(kv); i += 2 {
			n.Labels[kv[i]] = kv[i+1]
		}
	}
}

func withTaint(key, value, effect string) nodeOpt {
	return func(n *api.Node) {
		n.Spec.Taints = append(n.Spec.Taints, api.Taint{Key: key, Value: value, Effect: effect})
	}
}

func cordoned(n *api.Node) { n.Spec.Unschedulable = true }

func withReady(status string) nodeOpt {
	return func(n *api.Node) {
		if status == "" {
			n.Status.Conditions = nil
			return
		}
		n.Status.Conditions = []api.NodeCondition{{Type: "Ready", Status: status}}
	}
}

func withAllocatable(name, q string) nodeOpt {
	return func(n *api.Node) { n.Status.Allocatable[name] = resource.MustParse(q) }
}

// mkPod returns an unscheduled pod in "default" with one container.
func mkPod(name string, opts ...podOpt) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name}}
	p.Spec.Containers = []api.Container{{Name: "c", Image: "busybox"}}
	p.Status.Phase = "Pending"
	for _, o := range opts {
		o(p)
	}
	return p
}

// requests sets the first container's requests (pairs of name, quantity).
func requests(kv ...string) podOpt {
	return func(p *api.Pod) { p.Spec.Containers[0].Resources.Requests = list(kv...) }
}

func limits(kv ...string) podOpt {
	return func(p *api.Pod) { p.Spec.Containers[0].Resources.Limits = list(kv...) }
}

// container adds a container requesting kv.
func container(kv ...string) podOpt {
	return func(p *api.Pod) {
		c := api.Container{Name: fmt.Sprintf("c%d", len(p.Spec.Containers)), Image: "busybox"}
		c.Resources.Requests = list(kv...)
		p.Spec.Containers = append(p.Spec.Containers, c)
	}
}

func list(kv ...string) api.ResourceList {
	l := api.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = resource.MustParse(kv[i+1])
	}
	return l
}

func selector(kv ...string) podOpt {
	return func(p *api.Pod) {
		p.Spec.NodeSelector = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Spec.NodeSelector[kv[i]] = kv[i+1]
		}
	}
}

// affinity sets required node affinity; each term is a list of expressions.
func affinity(terms ...[]api.NodeSelectorRequirement) podOpt {
	return func(p *api.Pod) {
		ns := &api.NodeSelector{}
		for _, t := range terms {
			ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, api.NodeSelectorTerm{MatchExpressions: t})
		}
		p.Spec.Affinity = &api.Affinity{NodeAffinity: &api.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: ns}}
	}
}

func expr(key, op string, values ...string) api.NodeSelectorRequirement {
	return api.NodeSelectorRequirement{Key: key, Operator: op, Values: values}
}

func toleration(key, op, value, effect string) podOpt {
	return func(p *api.Pod) {
		p.Spec.Tolerations = append(p.Spec.Tolerations, api.Toleration{Key: key, Operator: op, Value: value, Effect: effect})
	}
}

func boundTo(node string) podOpt { return func(p *api.Pod) { p.Spec.NodeName = node } }

func phase(ph string) podOpt { return func(p *api.Pod) { p.Status.Phase = ph } }

func newScheduler(opts Options, nodes ...*api.Node) *Scheduler {
	s := New(opts)
	for _, n := range nodes {
		s.AddNode(n)
	}
	return s
}
