package sched_test

import (
	"errors"
	"fmt"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/sched"
	"k8s.io/apimachinery/pkg/api/resource"
)

func exampleNode(name, cpu string, labels map[string]string) *api.Node {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: labels}}
	n.Status.Allocatable = api.ResourceList{
		"cpu":    resource.MustParse(cpu),
		"memory": resource.MustParse("4Gi"),
		"pods":   resource.MustParse("110"),
	}
	n.Status.Conditions = []api.NodeCondition{{Type: "Ready", Status: "True"}}
	return n
}

// The engine feeds the scheduler from its watches, then places each
// unscheduled pod: ScheduleAndAssume reserves the node at once, the engine
// writes the binding with a compare-and-set, and calls Forget if that fails.
func Example() {
	s := sched.New(sched.Options{})
	s.AddNode(exampleNode("n1", "1", nil))
	s.AddNode(exampleNode("n2", "2", map[string]string{"gpu": "true"}))

	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}}
	pod.Spec.Containers = []api.Container{{Name: "web", Image: "nginx"}}
	pod.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("500m")}

	node, err := s.ScheduleAndAssume(pod)
	if err != nil {
		panic(err)
	}
	bindingFailed := false // the engine's compare-and-set of spec.nodeName
	if bindingFailed {
		s.Forget(pod)
	}
	u, _ := s.Usage(node)
	fmt.Println(node, u.CPUMilli, u.Pods)
	// Output: n2 500 1
}

// A pod that fits nowhere gets Kubernetes' message, for its PodScheduled
// condition (reason Unschedulable) and its FailedScheduling event.
func Example_unschedulable() {
	s := sched.New(sched.Options{})
	s.AddNode(exampleNode("n1", "1", nil))
	s.AddNode(exampleNode("n2", "1", nil))
	s.AddNode(exampleNode("n3", "1", map[string]string{"gpu": "true"}))

	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "trainer", Namespace: "default"}}
	pod.Spec.NodeSelector = map[string]string{"gpu": "true"}
	pod.Spec.Containers = []api.Container{{Name: "t", Image: "busybox"}}
	pod.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("2")}

	_, err := s.Schedule(pod)
	fmt.Println(errors.Is(err, sched.ErrUnschedulable))
	fmt.Println(err)
	// Output:
	// true
	// 0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.
}
