package enginetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

func testNamespaces(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	mustCreate(t, c, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "doomed"}})
	for _, n := range []string{"a", "b"} {
		mustCreate(t, c, Pod("doomed", n, nil))
	}
	_, err := c.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "doomed"}}, cluster.CreateOptions{})
	wantErr(t, "namespace exists", err, api.ErrAlreadyExists, `namespaces "doomed" already exists`)
	_, err = c.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "has.dot"}}, cluster.CreateOptions{})
	wantErr(t, "namespace with a dot", err, api.ErrInvalid, "")
	out, err := c.Delete(ctx, "namespaces", "", "doomed", cluster.DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns := out.(*api.Namespace); ns.Status.Phase != "Terminating" || ns.DeletionTimestamp == nil {
		t.Fatalf("deleted namespace: %+v", ns)
	}
	if _, err := cluster.WaitFor(ctx, c, "namespaces", "", "doomed", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
	left, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "doomed"})
	if err != nil || len(left.Items) != 0 {
		t.Fatalf("pods left: %v %v", err, left)
	}
	_, err = c.Create(ctx, Pod("doomed", "late", nil), cluster.CreateOptions{})
	wantErr(t, "create in a deleted namespace", err, api.ErrNotFound, `namespaces "doomed" not found`)
	for _, ns := range []string{"default", "kube-system", "kube-public"} {
		_, err = c.Delete(ctx, "namespaces", "", ns, cluster.DeleteOptions{})
		wantErr(t, "delete "+ns, err, api.ErrForbidden, fmt.Sprintf(`namespaces %q is forbidden: this namespace may not be deleted`, ns))
	}
}

func testLabelAndAnnotate(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	mustCreate(t, c, bound("web", map[string]string{"env": "prod"}))
	_, err := cluster.Label(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"env": "debug"}})
	wantErr(t, "label clash", err, api.ErrBadRequest, `'env' already has a value (prod), and --overwrite is false`)
	res, err := cluster.Label(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"env": "debug"}, Overwrite: true, Remove: []string{"nope"}})
	if err != nil || !res.Changed || res.Object.GetObjectMeta().Labels["env"] != "debug" || len(res.Missing) != 1 || res.Missing[0] != "nope" {
		t.Fatalf("label: %+v %v", res, err)
	}
	res, err = cluster.Label(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"env": "debug"}})
	if err != nil || res.Changed {
		t.Fatalf("same value: %+v %v", res, err)
	}
	_, err = cluster.Label(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"x": "y"}, ResourceVersion: "1"})
	wantErr(t, "label with a stale resourceVersion", err, api.ErrConflict, "")
	cluster.Annotate(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"a": "1", "b": "2"}})
	_, err = cluster.Annotate(ctx, c, "pods", "", "web", cluster.MetaChange{Set: map[string]string{"a": "9", "b": "8"}})
	wantErr(t, "annotate clash", err, api.ErrBadRequest,
		`--overwrite is false but found the following declared annotation(s): 'a' already has a value (1); 'b' already has a value (2)`)
	res, err = cluster.Annotate(ctx, c, "pods", "", "web", cluster.MetaChange{Remove: []string{"a"}})
	if err != nil || res.Object.GetObjectMeta().Annotations["a"] != "" || res.Object.GetObjectMeta().Annotations["b"] != "2" {
		t.Fatalf("annotate remove: %+v %v", res, err)
	}
	_, err = cluster.Label(ctx, c, "pods", "", "missing", cluster.MetaChange{Set: map[string]string{"a": "b"}})
	wantErr(t, "label a missing pod", err, api.ErrNotFound, `pods "missing" not found`)
}

func testEvents(t *testing.T, c cluster.Interface) {
	mustCreate(t, c, SimulatedNode("n1", nil))
	mustCreate(t, c, Pod("", "web", nil))
	want := "Successfully assigned default/web to n1"
	eventually(t, "Scheduled event", func() (bool, string) {
		l, err := c.List(ctxT(t), "events", cluster.ListOptions{Namespace: "default", FieldSelector: "involvedObject.name=web"})
		if err != nil {
			return false, err.Error()
		}
		for _, o := range l.Items {
			ev := o.(*api.Event)
			if ev.Reason == "Scheduled" && ev.Message == want && ev.InvolvedObject.Kind == "Pod" && ev.Type == "Normal" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d events", len(l.Items))
	})
}

func podsOf(t *testing.T, c cluster.Interface, sel string) []*api.Pod {
	l, err := c.List(ctxT(t), "pods", cluster.ListOptions{Namespace: "default", LabelSelector: sel})
	if err != nil {
		t.Fatal(err)
	}
	var out []*api.Pod
	for _, o := range l.Items {
		if p := o.(*api.Pod); p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func rcReady(t *testing.T, c cluster.Interface, name string, n int32) func() (bool, string) {
	return func() (bool, string) {
		o, err := c.Get(ctxT(t), "replicationcontrollers", "", name)
		if err != nil {
			return false, err.Error()
		}
		rc := o.(*api.ReplicationController)
		running := 0
		for _, p := range podsOf(t, c, "app="+name) {
			if p.Status.Phase == "Running" {
				running++
			}
		}
		return rc.Status.ReadyReplicas == n && rc.Status.Replicas == n && running == int(n),
			fmt.Sprintf("status %+v, %d running", rc.Status, running)
	}
}

func testReplicationController(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	for i := range 2 {
		mustCreate(t, c, SimulatedNode(fmt.Sprintf("n%d", i), nil))
	}
	mustCreate(t, c, RC("kubia", 3))
	eventually(t, "3 ready", rcReady(t, c, "kubia", 3))
	pods := podsOf(t, c, "app=kubia")
	if !strings.HasPrefix(pods[0].Name, "kubia-") || pods[0].OwnerReferences[0].Kind != "ReplicationController" {
		t.Fatalf("pod %+v", pods[0].ObjectMeta)
	}
	if _, err := c.Patch(ctx, "replicationcontrollers", "", "kubia", []byte(`{"spec":{"replicas":1}}`), cluster.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "scaled to 1", rcReady(t, c, "kubia", 1))
	if _, err := c.Delete(ctx, "replicationcontrollers", "", "kubia", cluster.DeleteOptions{PropagationPolicy: cluster.PropagationOrphan}); err != nil {
		t.Fatal(err)
	}
	left := podsOf(t, c, "app=kubia")
	if len(left) != 1 {
		t.Fatalf("%d pods left, want the 1 orphan", len(left))
	}
	if len(left[0].OwnerReferences) != 0 {
		t.Errorf("orphaned pod %s still owned: %+v", left[0].Name, left[0].OwnerReferences)
	}
	mustCreate(t, c, RC("web", 2))
	eventually(t, "2 ready", rcReady(t, c, "web", 2))
	if _, err := c.Delete(ctx, "replicationcontrollers", "", "web", cluster.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pods of a deleted RC gone", func() (bool, string) {
		n := len(podsOf(t, c, "app=web"))
		return n == 0, fmt.Sprintf("%d pods", n)
	})
}

func testCordonDrain(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	mustCreate(t, c, SimulatedNode("a", nil))
	mustCreate(t, c, SimulatedNode("b", nil))
	mustCreate(t, c, RC("web", 4))
	eventually(t, "4 ready", rcReady(t, c, "web", 4))
	if err := engine.Drain(ctx, c, "a"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "all on b", func() (bool, string) {
		ps := podsOf(t, c, "app=web")
		for _, p := range ps {
			if p.Spec.NodeName != "b" || p.Status.Phase != "Running" {
				return false, p.Name + " on " + p.Spec.NodeName + " " + p.Status.Phase
			}
		}
		return len(ps) == 4, fmt.Sprintf("%d pods", len(ps))
	})
	n, err := engine.Uncordon(ctx, c, "a")
	if err != nil || n.(*api.Node).Spec.Unschedulable {
		t.Fatalf("uncordon: %v %+v", err, n)
	}
	_, err = engine.Cordon(ctx, c, "zzz")
	wantErr(t, "cordon a missing node", err, api.ErrNotFound, `nodes "zzz" not found`)
}

func testPodIO(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	mustCreate(t, c, SimulatedNode("n1", nil))
	mustCreate(t, c, Pod("", "web", nil))
	mustCreate(t, c, Pod("", "pending", map[string]string{"x": "y"}))
	c.Patch(ctx, "pods", "", "pending", []byte(`{"spec":{"nodeSelector":{"no":"where"}}}`), cluster.UpdateOptions{})
	if _, err := cluster.WaitFor(ctx, c, "pods", "", "web", func(o api.Object) bool {
		return o != nil && o.(*api.Pod).Status.Phase == "Running"
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err := c.Logs(ctx, "default", "web", cluster.LogOptions{}, &buf)
	wantErr(t, "logs of a simulated pod", err, api.ErrBadRequest, "pod web runs on simulated node n1: it has no logs")
	_, err = c.Exec(ctx, "default", "web", cluster.ExecOptions{Command: []string{"true"}, Stdout: &buf})
	wantErr(t, "exec in a simulated pod", err, api.ErrBadRequest, "pod web runs on simulated node n1: it has no processes to exec into")
	_, err = c.DialPod(ctx, "default", "web", 80)
	wantErr(t, "dial a simulated pod", err, api.ErrBadRequest, "pod web runs on simulated node n1: nothing listens there")
	err = c.Logs(ctx, "default", "nope", cluster.LogOptions{}, &buf)
	wantErr(t, "logs of a missing pod", err, api.ErrNotFound, `pods "nope" not found`)
	_, err = c.Exec(ctx, "default", "nope", cluster.ExecOptions{Command: []string{"true"}})
	wantErr(t, "exec in a missing pod", err, api.ErrNotFound, `pods "nope" not found`)
	_, err = c.DialPod(ctx, "default", "nope", 80)
	wantErr(t, "dial a missing pod", err, api.ErrNotFound, `pods "nope" not found`)
	if buf.Len() != 0 {
		t.Fatalf("output from failed calls: %q", buf.String())
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal("unexpected cancellation")
	}
}
