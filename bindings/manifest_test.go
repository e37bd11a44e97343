package bindings

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

// racingOnce is an engine where another writer updates a pod right after
// the first `writes` reads of it, as a node agent's status write may.
type racingOnce struct {
	*engine.Engine
	writes atomic.Int32
}

func (r *racingOnce) Get(ctx context.Context, resource, ns, name string) (api.Object, error) {
	obj, err := r.Engine.Get(ctx, resource, ns, name)
	if pod, ok := obj.(*api.Pod); ok && err == nil && r.writes.Add(-1) >= 0 {
		bump := fmt.Sprintf(`{"metadata":{"annotations":{"example.com/seen":"%s"}}}`, pod.ResourceVersion)
		if _, err := r.Engine.Patch(ctx, resource, ns, name, []byte(bump), cluster.UpdateOptions{}); err != nil {
			return nil, err
		}
	}
	return obj, err
}

// manifest.apply of a pod that changes between apply's read and its
// update applies anyway (CI once failed with a Conflict so); one that
// never stops changing gives up with the Conflict.
func TestManifestApplyRetriesConflicts(t *testing.T) {
	for _, c := range []struct {
		writes  int32
		wantErr string
	}{{1, ""}, {applyAttempts - 1, ""}, {applyAttempts, "Conflict"}} {
		e := enginetest.InProcess(t)
		pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := e.Create(context.Background(), pod, cluster.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		r := &racingOnce{Engine: e}
		r.writes.Store(c.writes)
		s, err := New(Options{Engine: func(context.Context) (cluster.Interface, error) { return r, nil }})
		if err != nil {
			t.Fatal(err)
		}
		err = run(t, s, `manifest.apply({{apiVersion="v1", kind="Pod", metadata={name="web", labels={tier="web"}},
			spec={containers={{name="c", image="busybox"}}}}})`)
		s.Close()
		got, _ := e.Get(context.Background(), "pods", "default", "web")
		tier := got.GetObjectMeta().Labels["tier"]
		var le *Error
		errors.As(err, &le)
		switch {
		case c.wantErr == "" && (err != nil || tier != "web"):
			t.Errorf("%d concurrent writes: %v, label tier=%q; want applied", c.writes, err, tier)
		case c.wantErr != "" && (le == nil || le.Reason != c.wantErr):
			t.Errorf("%d concurrent writes: err %v, want %s", c.writes, err, c.wantErr)
		}
	}
}
