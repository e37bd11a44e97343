package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/fields"

	"github.com/minspace/min/engine/api"
)

func setImage(image string) func(api.Object) (api.Object, error) {
	return func(cur api.Object) (api.Object, error) {
		cur.(*api.Pod).Spec.Containers[0].Image = image
		return cur, nil
	}
}

func TestApply(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	mustCreate(t, s, pod("default", "a", nil))
	mustCreate(t, s, pod("default", "b", nil))
	ch := watch(t, s, "pods", WatchOptions{})
	refuse := errors.New("refused")
	res := s.Apply([]Op{
		{Create: pod("default", "c", nil)},
		{Resource: "pods", Namespace: "default", Name: "a", Update: setImage("nginx")},
		{Create: pod("default", "b", nil)}, // exists
		{Resource: "pods", Namespace: "default", Name: "zz", Update: setImage("nginx")},
		{Resource: "pods", Namespace: "default", Name: "b", Update: func(api.Object) (api.Object, error) { return nil, refuse }},
		{Resource: "pods", Namespace: "default", Name: "a", Update: setImage("redis")},   // the same object again
		{Create: pod("default", "c", nil)},                                               // created earlier in this batch
		{Resource: "pods", Namespace: "default", Name: "b", Update: setImage("busybox")}, // changes nothing
	})
	wantErr := []error{nil, nil, api.ErrAlreadyExists, api.ErrNotFound, refuse, nil, api.ErrAlreadyExists, nil}
	for i, r := range res {
		if !errors.Is(r.Err, wantErr[i]) || (wantErr[i] == nil) != (r.Err == nil) {
			t.Errorf("op %d: error %v, want %v", i, r.Err, wantErr[i])
		}
	}
	if got := rvOf(t, res[0].Object); got != 3 {
		t.Errorf("create c: resourceVersion %d, want 3", got)
	}
	if got := rvOf(t, res[5].Object); got != 5 || res[5].Object.(*api.Pod).Spec.Containers[0].Image != "redis" {
		t.Errorf("second update of a: %+v", res[5].Object)
	}
	if got := rvOf(t, res[7].Object); got != 2 {
		t.Errorf("unchanged b: resourceVersion %d, want 2 (no write)", got)
	}
	for _, want := range []string{"ADDED c 3", "MODIFIED a 4", "MODIFIED a 5"} {
		ev, _ := recv(t, ch)
		if got := fmt.Sprint(ev.Type, " ", ev.Object.GetObjectMeta().Name, " ", rvOf(t, ev.Object)); got != want {
			t.Errorf("event %q, want %q", got, want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	a, err := s.Get("pods", "default", "a")
	if err != nil || rvOf(t, a) != 5 || a.(*api.Pod).Spec.Containers[0].Image != "redis" || s.Revision() != 5 {
		t.Fatalf("after reopen: a = %+v, %v; revision %d", a, err, s.Revision())
	}
}

func TestSharedReadsAreTheStoredObject(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ch, err := s.Watch(context.Background(), "pods", WatchOptions{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.CreateShared(pod("default", "a", nil))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetShared("pods", "default", "a")
	list, _, _ := s.List("pods", ListOptions{Shared: true})
	ev, _ := recv(t, ch)
	copied, _ := s.Get("pods", "default", "a")
	if got != created || list[0] != created || ev.Object != created {
		t.Errorf("shared reads returned copies")
	}
	if copied == created {
		t.Errorf("Get returned the stored object")
	}
}

func TestCount(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	for i := range 10 {
		p := pod(fmt.Sprint("ns", i%2), fmt.Sprint("p", i), map[string]string{"odd": fmt.Sprint(i%2 == 1)})
		if i < 3 {
			p.Spec.NodeName = "n1"
		}
		mustCreate(t, s, p)
	}
	bound := fields.OneTermEqualSelector("spec.nodeName", "n1")
	for _, c := range []struct {
		name string
		opts ListOptions
		want int
	}{
		{"all", ListOptions{}, 10},
		{"namespace", ListOptions{Namespace: "ns1"}, 5},
		{"indexed field", ListOptions{Fields: bound}, 3},
		{"field in a namespace", ListOptions{Namespace: "ns0", Fields: bound}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if n, err := s.Count("pods", c.opts); n != c.want || err != nil {
				t.Errorf("Count = %d, %v; want %d", n, err, c.want)
			}
		})
	}
}

func TestApplySharedUpdate(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	stored, _ := s.CreateShared(pod("default", "a", nil))
	res := s.Apply([]Op{
		{Resource: "pods", Namespace: "default", Name: "a", Shared: true, Update: func(cur api.Object) (api.Object, error) {
			if cur != stored {
				t.Errorf("a shared update got a copy")
			}
			next := *cur.(*api.Pod)
			next.Spec.NodeName = "n1"
			return &next, nil
		}},
	})
	if res[0].Err != nil || res[0].Object.(*api.Pod).Spec.NodeName != "n1" || stored.(*api.Pod).Spec.NodeName != "" {
		t.Fatalf("shared update: %+v, %v; the old object now %+v", res[0].Object, res[0].Err, stored)
	}
	res = s.Apply([]Op{{Resource: "pods", Namespace: "default", Name: "a", Shared: true,
		Update: func(cur api.Object) (api.Object, error) { return cur, nil }}})
	if !errors.Is(res[0].Err, api.ErrBadRequest) {
		t.Errorf("a shared update returning the stored object: %v, want BadRequest", res[0].Err)
	}
}

// TestApplyBeyondOneTransaction: a batch larger than maxTx is written in
// several transactions, each op still once, in order, and durable.
func TestApplyBeyondOneTransaction(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	n := 3*maxTx + 5
	ops := make([]Op, n)
	for i := range ops {
		ops[i] = Op{Create: pod("default", fmt.Sprintf("p%04d", i), nil)}
	}
	ops = append(ops, Op{Create: pod("default", "p0000", nil)}) // fails alone
	res := s.Apply(ops)
	last := int64(0)
	for i, r := range res[:n] {
		if r.Err != nil {
			t.Fatalf("op %d: %v", i, r.Err)
		}
		rv := rvOf(t, r.Object)
		if i > 0 && rv != last+1 {
			t.Fatalf("op %d: revision %d after %d", i, rv, last)
		}
		last = rv
	}
	if !errors.Is(res[n].Err, api.ErrAlreadyExists) {
		t.Fatalf("duplicate create: %v", res[n].Err)
	}
	s.Close()
	s = open(t, dir, Options{})
	if got, err := s.Count("pods", ListOptions{}); err != nil || got != n {
		t.Fatalf("after reopen: %d pods (%v), want %d", got, err, n)
	}
}
