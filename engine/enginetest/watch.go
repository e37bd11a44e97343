package enginetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// collect reads n events or fails after a timeout.
func collect(t *testing.T, ch <-chan cluster.Event, n int) []cluster.Event {
	t.Helper()
	var out []cluster.Event
	timeout := time.After(15 * time.Second)
	for len(out) < n {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("watch closed after %d of %d events: %s", len(out), n, describe(out))
			}
			out = append(out, ev)
		case <-timeout:
			t.Fatalf("got %d of %d events: %s", len(out), n, describe(out))
		}
	}
	return out
}

func describe(evs []cluster.Event) string {
	parts := make([]string, len(evs))
	for i, ev := range evs {
		parts[i] = ev.Type + " " + ev.Object.GetObjectMeta().Name
	}
	return strings.Join(parts, ", ")
}

// bound returns a pod bound to a node nobody runs, so that only the test
// writes to it.
func bound(name string, lbls map[string]string) *api.Pod {
	p := Pod("", name, lbls)
	p.Spec.NodeName = "nobody"
	return p
}

func testWatchFromList(t *testing.T, c cluster.Interface) {
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	mustCreate(t, c, bound("before", nil))
	l, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	// Changes between the list and the watch must not be missed.
	mustCreate(t, c, bound("a", nil))
	if _, err := c.Patch(ctx, "pods", "", "a", []byte(`{"metadata":{"labels":{"x":"1"}}}`), cluster.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ch, err := c.Watch(ctx, "pods", cluster.ListOptions{Namespace: "default", ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, "pods", "", "a", cluster.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, ch, 3)
	if got := describe(evs); got != "ADDED a, MODIFIED a, DELETED a" {
		t.Fatalf("events: %s", got)
	}
	prev := l.ResourceVersion
	for _, ev := range evs {
		rv := ev.Object.GetObjectMeta().ResourceVersion
		if len(rv) < len(prev) || len(rv) == len(prev) && rv <= prev {
			t.Fatalf("resourceVersions out of order: %s after %s", rv, prev)
		}
		prev = rv
	}
	if evs[1].Object.GetObjectMeta().Labels["x"] != "1" {
		t.Fatalf("modified object: %+v", evs[1].Object.GetObjectMeta())
	}
}

func testWatchFromNow(t *testing.T, c cluster.Interface) {
	ctx, cancel := context.WithCancel(ctxT(t))
	mustCreate(t, c, bound("old", nil))
	ch, err := c.Watch(ctx, "pods", cluster.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, bound("new", nil))
	if got := describe(collect(t, ch, 1)); got != "ADDED new" {
		t.Fatalf("a watch from now got %s", got)
	}
	cancel()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the watch channel did not close when its context ended")
		}
	}
}

func testWatchSelectors(t *testing.T, c cluster.Interface) {
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	mustCreate(t, c, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "other"}})
	ch, err := c.Watch(ctx, "pods", cluster.ListOptions{Namespace: "default", LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	byName, err := c.Watch(ctx, "pods", cluster.ListOptions{FieldSelector: "metadata.name=target"})
	if err != nil {
		t.Fatal(err)
	}
	other := bound("web", map[string]string{"app": "web"})
	other.Namespace = "other"
	mustCreate(t, c, other)                                                                                    // other namespace: unseen
	mustCreate(t, c, bound("db", map[string]string{"app": "db"}))                                              // no match: unseen
	mustCreate(t, c, bound("web", map[string]string{"app": "web"}))                                            // ADDED
	c.Patch(ctx, "pods", "", "web", []byte(`{"metadata":{"labels":{"app":"gone"}}}`), cluster.UpdateOptions{}) // leaves: DELETED
	c.Patch(ctx, "pods", "", "db", []byte(`{"metadata":{"labels":{"app":"web"}}}`), cluster.UpdateOptions{})   // enters: ADDED
	mustCreate(t, c, bound("target", nil))
	if got := describe(collect(t, ch, 3)); got != "ADDED web, DELETED web, ADDED db" {
		t.Fatalf("label-selected watch: %s", got)
	}
	if got := describe(collect(t, byName, 1)); got != "ADDED target" {
		t.Fatalf("field-selected watch: %s", got)
	}
	_, err = c.Watch(ctx, "pods", cluster.ListOptions{LabelSelector: "a in b"})
	wantErr(t, "watch with a bad selector", err, api.ErrBadRequest, "")
}

func testWatchBadRevision(t *testing.T, c cluster.Interface) {
	_, err := c.Watch(ctxT(t), "pods", cluster.ListOptions{ResourceVersion: "abc"})
	wantErr(t, "bad revision", err, api.ErrBadRequest, `invalid resource version "abc"`)
}

// WatchTooOld checks the 410 of a watch from a revision older than the
// store's history; the caller arranges for revision 1 to be that old
// (a restarted engine's history starts at its revision at open).
func WatchTooOld(t *testing.T, c cluster.Interface) {
	_, err := c.Watch(ctxT(t), "pods", cluster.ListOptions{ResourceVersion: "1"})
	wantErr(t, "watch from a revision the store forgot", err, api.ErrGone, "")
	if !strings.HasPrefix(err.Error(), "too old resource version: 1 (") {
		t.Fatalf("text: %v", err)
	}
}

func testWaitFor(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	mustCreate(t, c, SimulatedNode("n1", nil))
	mustCreate(t, c, Pod("", "web", nil))
	o, err := cluster.WaitFor(ctx, c, "pods", "", "web", func(o api.Object) bool {
		return o != nil && o.(*api.Pod).Status.Phase == "Running"
	})
	if err != nil || o.(*api.Pod).Spec.NodeName != "n1" || o.(*api.Pod).Status.PodIP == "" {
		t.Fatalf("wait running: %v %+v", err, o)
	}
	if _, err := c.Delete(ctx, "pods", "", "web", cluster.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.WaitFor(ctx, c, "pods", "", "web", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatalf("wait gone: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = cluster.WaitFor(short, c, "pods", "", "never", func(o api.Object) bool { return o != nil })
	wantErr(t, "wait timeout", err, api.ErrTimeout, "")
}
