package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/minspace/min/engine/api"
)

func TestCreateGet(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	created := mustCreate(t, s, pod("default", "web", map[string]string{"app": "web"}))
	if rvOf(t, created) != 1 || s.Revision() != 1 {
		t.Fatalf("resourceVersion %s, revision %d; want 1, 1", created.GetObjectMeta().ResourceVersion, s.Revision())
	}
	if tm := created.GetTypeMeta(); tm.Kind != "Pod" || tm.APIVersion != "v1" {
		t.Errorf("TypeMeta = %+v, want Pod v1", *tm)
	}
	got, err := s.Get("pods", "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	got.GetObjectMeta().Labels["app"] = "changed" // a private copy
	again, _ := s.Get("pods", "default", "web")
	if again.GetObjectMeta().Labels["app"] != "web" {
		t.Fatal("changing a returned object changed the store")
	}
	// The same name in another namespace is another object.
	mustCreate(t, s, pod("other", "web", nil))
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}})
	if _, err := s.Get("nodes", "ignored", "n1"); err != nil {
		t.Errorf("cluster-scoped Get ignores the namespace: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	mustCreate(t, s, pod("default", "web", nil))
	tests := []struct {
		name string
		obj  api.Object
		is   error
		msg  string
	}{
		{"exists", pod("default", "web", nil), api.ErrAlreadyExists, `pods "web" already exists`},
		{"no name", pod("default", "", nil), api.ErrInvalid,
			`Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
		{"no namespace", pod("", "x", nil), api.ErrInvalid, `Pod "x" is invalid: metadata.namespace: Required value`},
		{"namespace on a node", &api.Node{ObjectMeta: api.ObjectMeta{Name: "n", Namespace: "default"}}, api.ErrInvalid,
			`Node "n" is invalid: metadata.namespace: Forbidden: not allowed on this type`},
		{"nil", (*api.Pod)(nil), api.ErrBadRequest, "store: no object given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Create(tc.obj)
			if !errors.Is(err, tc.is) || err.Error() != tc.msg {
				t.Fatalf("err = %v, want %q (%v)", err, tc.msg, tc.is)
			}
		})
	}
	if s.Revision() != 1 {
		t.Errorf("failed creates moved the revision to %d", s.Revision())
	}
	_, err := s.Get("pods", "default", "nope")
	if !errors.Is(err, api.ErrNotFound) || err.Error() != `pods "nope" not found` {
		t.Errorf("Get missing: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	v1 := mustCreate(t, s, pod("default", "web", map[string]string{"v": "1"})).(*api.Pod)
	v2 := v1.DeepCopyObject().(*api.Pod)
	v2.Labels["v"] = "2"
	out, err := s.Update(v2)
	if err != nil || rvOf(t, out) != 2 {
		t.Fatalf("Update = %v, %v; want revision 2", out, err)
	}
	tests := []struct {
		name    string
		obj     *api.Pod
		rv      string
		is      error
		msg     string
		wantRev int64
	}{
		{"stale resourceVersion", pod("default", "web", map[string]string{"v": "3"}), "1", api.ErrConflict,
			`Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again`, 2},
		{"missing", pod("default", "gone", nil), "", api.ErrNotFound, `pods "gone" not found`, 2},
		{"unconditional", pod("default", "web", map[string]string{"v": "4"}), "", nil, "", 3},
		{"current resourceVersion", pod("default", "web", map[string]string{"v": "5"}), "3", nil, "", 4},
		{"no change writes nothing", pod("default", "web", map[string]string{"v": "5"}), "4", nil, "", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.obj.ResourceVersion = tc.rv
			_, err := s.Update(tc.obj)
			if tc.is == nil && err != nil || tc.is != nil && (!errors.Is(err, tc.is) || err.Error() != tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
			if s.Revision() != tc.wantRev {
				t.Fatalf("revision = %d, want %d", s.Revision(), tc.wantRev)
			}
		})
	}
}

func TestGuaranteedUpdateConcurrent(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	mustCreate(t, s, pod("default", "counter", map[string]string{"n": "0"}))
	const workers, each = 4, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				_, err := s.GuaranteedUpdate("pods", "default", "counter", func(cur api.Object) (api.Object, error) {
					m := cur.GetObjectMeta()
					var n int
					fmt.Sscan(m.Labels["n"], &n)
					m.Labels["n"] = fmt.Sprint(n + 1)
					return cur, nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, _ := s.Get("pods", "default", "counter")
	if n := got.GetObjectMeta().Labels["n"]; n != fmt.Sprint(workers*each) {
		t.Fatalf("counter = %s, want %d (lost updates)", n, workers*each)
	}
	abort := errors.New("no thanks")
	_, err := s.GuaranteedUpdate("pods", "default", "counter", func(api.Object) (api.Object, error) { return nil, abort })
	if err != abort {
		t.Errorf("fn's error: got %v", err)
	}
	_, err = s.GuaranteedUpdate("pods", "default", "counter", func(cur api.Object) (api.Object, error) {
		cur.GetObjectMeta().Name = "other"
		return cur, nil
	})
	if !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("renaming in GuaranteedUpdate: got %v", err)
	}
}

func TestDelete(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	mustCreate(t, s, pod("default", "web", nil))
	_, err := s.Delete("pods", "default", "web", "wrong-uid")
	want := `Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: wrong-uid, UID in object meta: uid-default-web`
	if !errors.Is(err, api.ErrConflict) || err.Error() != want {
		t.Fatalf("precondition: %v", err)
	}
	gone, err := s.Delete("pods", "default", "web", "uid-default-web")
	if err != nil {
		t.Fatal(err)
	}
	if rvOf(t, gone) != 2 || s.Revision() != 2 {
		t.Errorf("deleted object's resourceVersion = %s, revision %d; want 2", gone.GetObjectMeta().ResourceVersion, s.Revision())
	}
	if _, err := s.Get("pods", "default", "web"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if _, err := s.Delete("pods", "default", "web", ""); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
	mustCreate(t, s, pod("default", "web", nil)) // the name is free again
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		mustCreate(t, s, pod("default", fmt.Sprint("p", i), map[string]string{"i": fmt.Sprint(i)}))
	}
	mustCreate(t, s, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team"}})
	if _, err := s.Delete("pods", "default", "p3", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete("pods", "default", "p9", ""); err != nil { // the newest object: only ~rev remembers 13
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	if s.Revision() != 13 {
		t.Errorf("revision after reopen = %d, want 13", s.Revision())
	}
	pods, rev, err := s.List("pods", ListOptions{})
	if err != nil || rev != 13 || len(pods) != 8 {
		t.Fatalf("List = %v, %d, %v; want 8 pods at 13", names(pods), rev, err)
	}
	p5, err := s.Get("pods", "default", "p5")
	if err != nil || rvOf(t, p5) != 6 || p5.GetObjectMeta().Labels["i"] != "5" || p5.(*api.Pod).Spec.Containers[0].Image != "busybox" {
		t.Fatalf("p5 after reopen = %+v, %v", p5, err)
	}
	if _, err := s.Get("namespaces", "", "team"); err != nil {
		t.Error(err)
	}
	if out := mustCreate(t, s, pod("default", "p3", nil)); rvOf(t, out) != 14 {
		t.Errorf("next write got resourceVersion %d, want 14", rvOf(t, out))
	}
}

func TestClosed(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(pod("default", "x", nil)); !errors.Is(err, ErrClosed) {
		t.Errorf("Create after Close: %v", err)
	}
	if _, err := s.Get("pods", "default", "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := s.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

// buntdb rewrites its file when it has grown (shrink); the store must read
// the rewritten file back, revision included.
func TestReopenAfterShrink(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, pod("default", "a", map[string]string{"n": "0"}))
	for i := range 200 {
		if _, err := s.Update(pod("default", "a", map[string]string{"n": fmt.Sprint(i + 1)})); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(t, s, pod("default", "b", nil))
	if _, err := s.Delete("pods", "default", "b", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Shrink(); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, pod("default", "c", nil)) // appended to the new file
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, Options{})
	a, err := s.Get("pods", "default", "a")
	if err != nil || a.GetObjectMeta().Labels["n"] != "200" || rvOf(t, a) != 201 {
		t.Fatalf("a after shrink = %v, %v", a, err)
	}
	if _, err := s.Get("pods", "default", "c"); err != nil || s.Revision() != 204 || s.RepairedBytes() != 0 {
		t.Fatalf("c: %v; revision %d (want 204); repaired %d", err, s.Revision(), s.RepairedBytes())
	}
}

func TestSyncPolicies(t *testing.T) {
	tests := []struct {
		name   string
		policy SyncPolicy
		ok     bool
	}{
		{"every second (default)", SyncEverySecond, true},
		{"always", SyncAlways, true},
		{"never", SyncNever, true},
		{"unknown", SyncPolicy(7), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{Sync: tc.policy})
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), "unknown sync policy 7") {
					t.Fatalf("Open = %v, want an unknown sync policy error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, s, pod("default", "p", nil))
			s.Close()
			s = open(t, dir, Options{Sync: tc.policy})
			if _, err := s.Get("pods", "default", "p"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
