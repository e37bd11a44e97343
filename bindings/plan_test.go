package bindings

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

// racingBase is an engine whose every Get is followed at once by another
// writer's update, as a node agent's status write would be: a planner that
// writes back the version it read conflicts every time.
type racingBase struct {
	*engine.Engine
	t *testing.T
}

func (r racingBase) Get(ctx context.Context, resource, ns, name string) (api.Object, error) {
	obj, err := r.Engine.Get(ctx, resource, ns, name)
	if pod, ok := obj.(*api.Pod); ok && err == nil {
		bump := fmt.Sprintf(`{"metadata":{"finalizers":["example.com/f%s"]}}`, pod.ResourceVersion)
		done, err := r.Engine.Patch(ctx, resource, ns, name, []byte(bump), cluster.UpdateOptions{})
		if err != nil || done.GetObjectMeta().ResourceVersion == pod.ResourceVersion {
			r.t.Fatalf("concurrent write: %v (resourceVersion %s)", err, pod.ResourceVersion)
		}
	}
	return obj, err
}

// TestPlannerPatchIgnoresConcurrentWrites: a dry-run label change of a
// pod whose status changes meanwhile is planned, not refused with a
// Conflict (CI once failed so: the kubelet wrote the pod's status between
// the planner's read and its write).
func TestPlannerPatchIgnoresConcurrentWrites(t *testing.T) {
	e := enginetest.InProcess(t)
	ctx := context.Background()
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"env": "prod"}},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
	if _, err := e.Create(ctx, pod, cluster.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := newPlanner(racingBase{e, t})
	out, err := p.Patch(ctx, "pods", "default", "web", []byte(`{"metadata":{"labels":{"env":"debug"}}}`), cluster.UpdateOptions{})
	if err != nil {
		t.Fatalf("planned patch: %v", err)
	}
	if got := out.GetObjectMeta().Labels["env"]; got != "debug" {
		t.Errorf("planned label env = %q, want debug", got)
	}
	if got := strings.Join(p.Lines(), "\n"); got != "~ pod/default/web labels.env: prod -> debug" {
		t.Errorf("plan = %q", got)
	}
	real, _ := e.Get(ctx, "pods", "default", "web")
	if got := real.GetObjectMeta().Labels["env"]; got != "prod" {
		t.Errorf("the dry run changed the pod: env = %q", got)
	}
}

// A patch of a planned object merges into the plan (the engine has no
// such object), with RFC 7386's null deleting a key.
func TestPlannerPatchOfPlannedObject(t *testing.T) {
	e := enginetest.InProcess(t)
	ctx := context.Background()
	p := newPlanner(e)
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "new", Namespace: "default", Labels: map[string]string{"env": "prod", "tier": "web"}},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
	if _, err := p.Create(ctx, pod, cluster.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := p.Patch(ctx, "pods", "default", "new", []byte(`{"metadata":{"labels":{"env":"debug","tier":null}}}`), cluster.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l := out.GetObjectMeta().Labels; len(l) != 1 || l["env"] != "debug" {
		t.Errorf("planned labels %v", l)
	}
	want := "+ pod/default/new\n~ pod/default/new labels.env: prod -> debug\n~ pod/default/new labels.tier: web -> <none>"
	if got := strings.Join(p.Lines(), "\n"); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	if _, err := p.Patch(ctx, "pods", "default", "new", []byte(`{"metadata":`), cluster.UpdateOptions{}); err == nil {
		t.Error("a broken patch was planned")
	}
	if _, err := e.Get(ctx, "pods", "default", "new"); err == nil {
		t.Error("the dry run created the pod")
	}
}
