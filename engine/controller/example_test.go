package controller_test

import (
	"fmt"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/controller"
)

// The engine's RC loop: list the namespace's pods, ask for a plan, apply it.
func ExampleReconcileRC() {
	three := int32(3)
	rc := &api.ReplicationController{ObjectMeta: api.ObjectMeta{Name: "kubia", Namespace: "default", UID: "u1", Generation: 1}}
	rc.Spec.Replicas = &three
	rc.Spec.Selector = map[string]string{"app": "kubia"}
	rc.Spec.Template = &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "kubia"}}}
	rc.Spec.Template.Spec.Containers = []api.Container{{Name: "kubia", Image: "luksa/kubia"}}

	mine := controller.NewPodFromTemplate(rc)
	mine.Name = "kubia-x7b2k"
	manual := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "manual", Namespace: "default", Labels: map[string]string{"app": "kubia"}}}

	plan := controller.ReconcileRC(rc, []*api.Pod{mine, manual})
	for _, p := range plan.Adopt {
		controller.SetControllerRef(p, rc) // then update it with a compare-and-set
	}
	for range plan.Create {
		p := controller.NewPodFromTemplate(rc) // then create it
		fmt.Println("create", p.GenerateName, p.OwnerReferences[0].Kind)
	}
	fmt.Println("adopted", plan.Adopt[0].Name, "status replicas", plan.Status.Replicas)
	// Output:
	// create kubia- ReplicationController
	// adopted manual status replicas 2
}

// A simulated node marks a bound pod running at once, with an address of its
// pod CIDR.
func ExampleSimulatedPodStatus() {
	node := &api.Node{ObjectMeta: api.ObjectMeta{Name: "sim-1"}}
	node.Spec.PodCIDR = "10.244.1.0/24"
	node.Status.Addresses = []api.NodeAddress{{Type: "InternalIP", Address: "10.0.0.11"}}
	ipam, err := controller.NewIPAM(node.Spec.PodCIDR)
	if err != nil {
		panic(err)
	}

	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", UID: "p1"}}
	pod.Spec.NodeName = "sim-1"
	pod.Spec.Containers = []api.Container{{Name: "web", Image: "nginx"}}
	ip, err := ipam.Allocate(pod.UID)
	if err != nil {
		panic(err)
	}
	pod.Status = controller.SimulatedPodStatus(pod, node, ip, time.Now())
	fmt.Println(pod.Status.Phase, pod.Status.PodIP, pod.Status.HostIP, pod.Status.QOSClass, controller.IsPodReady(pod))
	// Output: Running 10.244.1.2 10.0.0.11 BestEffort true
}
