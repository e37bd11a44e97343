package store

import (
	"strconv"
	"testing"

	"github.com/minspace/min/engine/api"
)

// open opens a store in dir and closes it at the end of the test.
func open(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func pod(ns, name string, labels map[string]string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name, UID: "uid-" + ns + "-" + name, Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox", Command: []string{"sleep", "3600"}}}},
	}
}

func mustCreate(t testing.TB, s *Store, obj api.Object) api.Object {
	t.Helper()
	out, err := s.Create(obj)
	if err != nil {
		t.Fatalf("Create %s: %v", obj.GetObjectMeta().Name, err)
	}
	return out
}

func rvOf(t testing.TB, obj api.Object) int64 {
	t.Helper()
	rv, err := strconv.ParseInt(obj.GetObjectMeta().ResourceVersion, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q: %v", obj.GetObjectMeta().ResourceVersion, err)
	}
	return rv
}

func names(objs []api.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		m := o.GetObjectMeta()
		out[i] = m.Namespace + "/" + m.Name
	}
	return out
}
