package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"k8s.io/apimachinery/pkg/api/resource"
)

func simNode(name string, labels map[string]string) *api.Node {
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: labels,
		Annotations: map[string]string{NodeTypeAnnotation: NodeSimulated}}}
}

func waitPod(t *testing.T, e *Engine, ns, name string, cond func(*api.Pod) bool) *api.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o, err := cluster.WaitFor(ctx, e, "pods", ns, name, func(o api.Object) bool { return o != nil && cond(o.(*api.Pod)) })
	if err != nil {
		cur, _ := e.Get(context.Background(), "pods", ns, name)
		t.Fatalf("waiting for pod %s: %v (now %+v)", name, err, cur)
	}
	return o.(*api.Pod)
}

func condition(p *api.Pod, typ string) *api.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == typ {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func TestSimulatedNodeRunsPods(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	n, err := e.Create(ctx, simNode("n1", nil), CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node := n.(*api.Node)
	if node.Spec.PodCIDR == "" || node.Labels["kubernetes.io/hostname"] != "n1" || func() bool { q := node.Status.Allocatable["pods"]; return q.Value() != 110 }() {
		t.Fatalf("node defaults: %+v", node)
	}
	e.Create(ctx, testPod("", "web", nil), CreateOptions{})
	p := waitPod(t, e, "", "web", func(p *api.Pod) bool { return p.Status.Phase == "Running" })
	if p.Spec.NodeName != "n1" || p.Status.PodIP == "" {
		t.Fatalf("pod %+v", p)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := waitEvent(wctx, e, "web", "Scheduled", "Successfully assigned default/web to n1"); err != nil {
		t.Fatal(err)
	}
	// Graceful deletion on a node with an agent still ends with the pod gone.
	if _, err := e.Delete(ctx, "pods", "", "web", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.WaitFor(wctx, e, "pods", "", "web", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
}

func TestGPUPodPendingUntilNodeLabelled(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	for _, n := range []string{"n1", "n2", "n3"} {
		e.Create(ctx, simNode(n, nil), CreateOptions{})
	}
	p := testPod("", "kubia-gpu", nil)
	p.Spec.NodeSelector = map[string]string{"gpu": "true"}
	e.Create(ctx, p, CreateOptions{})
	want := "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	// The scheduler may see the pod before all three nodes: wait for the final word.
	got := waitPod(t, e, "", "kubia-gpu", func(p *api.Pod) bool {
		c := condition(p, "PodScheduled")
		return c != nil && c.Message == want
	})
	c := condition(got, "PodScheduled")
	if c.Status != "False" || c.Reason != "Unschedulable" || got.Status.Phase != "Pending" {
		t.Fatalf("condition %+v phase %s", c, got.Status.Phase)
	}
	if _, err := cluster.Label(ctx, e, "nodes", "", "n2", MetaChange{Set: map[string]string{"gpu": "true"}}); err != nil {
		t.Fatal(err)
	}
	got = waitPod(t, e, "", "kubia-gpu", func(p *api.Pod) bool { return p.Status.Phase == "Running" })
	if got.Spec.NodeName != "n2" {
		t.Fatalf("landed on %s", got.Spec.NodeName)
	}
}

func TestInsufficientCPUMessage(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	n := simNode("small", nil)
	n.Status.Capacity = api.ResourceList{"cpu": resource.MustParse("1"), "memory": resource.MustParse("1Gi")}
	e.Create(ctx, n, CreateOptions{})
	p := testPod("", "big", nil)
	p.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("2")}
	e.Create(ctx, p, CreateOptions{})
	want := "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
	waitPod(t, e, "", "big", func(p *api.Pod) bool {
		c := condition(p, "PodScheduled")
		return c != nil && c.Message == want && c.Reason == "Unschedulable"
	})
}

func rcObject(name string, replicas int32) *api.ReplicationController {
	labels := map[string]string{"app": name}
	return &api.ReplicationController{
		ObjectMeta: api.ObjectMeta{Name: name},
		Spec: api.ReplicationControllerSpec{Replicas: &replicas, Selector: labels,
			Template: &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: labels},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}},
	}
}

// waitRC polls, because its conditions also look at pods, whose changes
// do not always change the RC.
func waitRC(t *testing.T, e *Engine, name string, cond func(*api.ReplicationController) bool) *api.ReplicationController {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, err := e.Get(context.Background(), "replicationcontrollers", "", name)
		if err == nil && cond(o.(*api.ReplicationController)) {
			return o.(*api.ReplicationController)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for rc %s: %v (now %+v, pods %v)", name, err, o, activePodsAll(t, e, ""))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func activePods(t *testing.T, e *Engine, sel string) []*api.Pod {
	list, err := e.List(context.Background(), "pods", ListOptions{LabelSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	var out []*api.Pod
	for _, o := range list.Items {
		if p := o.(*api.Pod); p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func TestReplicationControllerLifecycle(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	for i := range 3 {
		e.Create(ctx, simNode(fmt.Sprintf("n%d", i), nil), CreateOptions{})
	}
	if _, err := e.Create(ctx, rcObject("kubia", 3), CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRC(t, e, "kubia", func(rc *api.ReplicationController) bool { return rc.Status.ReadyReplicas == 3 })
	pods := activePods(t, e, "app=kubia")
	if len(pods) != 3 || !strings.HasPrefix(pods[0].Name, "kubia-") || pods[0].OwnerReferences[0].Kind != "ReplicationController" {
		t.Fatalf("pods %v", pods)
	}
	// A deleted pod is replaced.
	e.Delete(ctx, "pods", "", pods[0].Name, DeleteOptions{})
	waitRC(t, e, "kubia", func(rc *api.ReplicationController) bool {
		ps := activePods(t, e, "app=kubia")
		return len(ps) == 3 && ps[0].Name != pods[0].Name && rc.Status.ReadyReplicas == 3
	})
	// A pod relabelled out of the selector is released and replaced.
	pods = activePods(t, e, "app=kubia")
	cluster.Label(ctx, e, "pods", "", pods[1].Name, MetaChange{Set: map[string]string{"app": "foo"}, Overwrite: true})
	waitRC(t, e, "kubia", func(rc *api.ReplicationController) bool { return len(activePods(t, e, "app=kubia")) == 3 })
	released, _ := e.Get(ctx, "pods", "", pods[1].Name)
	if len(released.GetObjectMeta().OwnerReferences) != 0 {
		t.Fatalf("released pod still owned: %+v", released.GetObjectMeta().OwnerReferences)
	}
	// Scale down to 1, then delete the RC: its pods go too.
	e.Patch(ctx, "replicationcontrollers", "", "kubia", []byte(`{"spec":{"replicas":1}}`), UpdateOptions{})
	waitRC(t, e, "kubia", func(rc *api.ReplicationController) bool {
		return rc.Status.Replicas == 1 && len(activePods(t, e, "app=kubia")) == 1
	})
	if _, err := e.Delete(ctx, "replicationcontrollers", "", "kubia", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(activePods(t, e, "app=kubia")) != 0 || len(activePodsAll(t, e, "app=kubia")) != 0 {
		if time.Now().After(deadline) {
			for _, o := range activePodsAll(t, e, "app=kubia") {
				t.Logf("left: %+v %+v", o.GetObjectMeta(), o.(*api.Pod).Status)
			}
			t.Fatal("rc pods remain")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(activePods(t, e, "app=foo")) != 1 {
		t.Fatal("the released pod must survive its former RC")
	}
}

func activePodsAll(t *testing.T, e *Engine, sel string) []api.Object {
	list, _ := e.List(context.Background(), "pods", ListOptions{LabelSelector: sel})
	return list.Items
}

func TestCordonDrainMovesRCPods(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.Create(ctx, simNode("a", nil), CreateOptions{})
	e.Create(ctx, simNode("b", nil), CreateOptions{})
	e.Create(ctx, rcObject("web", 4), CreateOptions{})
	waitRC(t, e, "web", func(rc *api.ReplicationController) bool { return rc.Status.ReadyReplicas == 4 })
	if err := Drain(ctx, e, "a"); err != nil {
		t.Fatal(err)
	}
	waitRC(t, e, "web", func(rc *api.ReplicationController) bool {
		ps := activePods(t, e, "app=web")
		for _, p := range ps {
			if p.Spec.NodeName != "b" || p.Status.Phase != "Running" {
				return false
			}
		}
		return len(ps) == 4 && rc.Status.ReadyReplicas == 4
	})
	n, _ := e.Get(ctx, "nodes", "", "a")
	if !n.(*api.Node).Spec.Unschedulable {
		t.Fatal("drained node must stay cordoned")
	}
}

func waitEvent(ctx context.Context, e *Engine, object, reason, msg string) error {
	for {
		evs, err := e.List(ctx, "events", ListOptions{FieldSelector: "involvedObject.name=" + object})
		if err != nil {
			return err
		}
		for _, o := range evs.Items {
			if ev := o.(*api.Event); ev.Reason == reason && ev.Message == msg {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no %s event %q for %s in %d events", reason, msg, object, len(evs.Items))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestRCAdoptsMatchingOrphanAndOrphansOnRequest(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.Create(ctx, simNode("n1", nil), CreateOptions{})
	e.Create(ctx, testPod("", "stray", map[string]string{"app": "kubia"}), CreateOptions{})
	e.Create(ctx, rcObject("kubia", 2), CreateOptions{})
	waitRC(t, e, "kubia", func(rc *api.ReplicationController) bool {
		return rc.Status.ReadyReplicas == 2 && len(activePods(t, e, "app=kubia")) == 2
	})
	stray, err := e.Get(ctx, "pods", "", "stray")
	if err != nil {
		t.Fatalf("the orphan must be adopted, not replaced: %v", err)
	}
	if refs := stray.GetObjectMeta().OwnerReferences; len(refs) != 1 || refs[0].Name != "kubia" {
		t.Fatalf("owner references %+v", refs)
	}
	if _, err := e.Delete(ctx, "replicationcontrollers", "", "kubia", DeleteOptions{PropagationPolicy: PropagationOrphan}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // give a wrongful deletion time to happen
	pods := activePods(t, e, "app=kubia")
	if len(pods) != 2 {
		t.Fatalf("orphaned pods must stay: %d left", len(pods))
	}
	for _, p := range pods {
		if len(p.OwnerReferences) != 0 {
			t.Fatalf("pod %s still owned: %+v", p.Name, p.OwnerReferences)
		}
	}
}

func TestNodeDeletionRemovesItsPods(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.Create(ctx, simNode("gone", nil), CreateOptions{})
	e.Create(ctx, testPod("", "p", nil), CreateOptions{})
	waitPod(t, e, "", "p", func(p *api.Pod) bool { return p.Status.Phase == "Running" })
	if _, err := e.Delete(ctx, "nodes", "", "gone", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cluster.WaitFor(wctx, e, "pods", "", "p", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
}
