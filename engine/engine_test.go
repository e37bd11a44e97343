package engine

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

func openTest(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(t.TempDir(), Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func testPod(ns, name string, labels map[string]string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}},
	}
}

func TestSystemNamespacesExistAndAreImmortal(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	for _, ns := range systemNamespaces {
		if _, err := e.Get(ctx, "namespaces", "", ns); err != nil {
			t.Errorf("namespace %s: %v", ns, err)
		}
	}
	_, err := e.Delete(ctx, "namespaces", "", "default", DeleteOptions{})
	if !errors.Is(err, api.ErrForbidden) || err.Error() != `namespaces "default" is forbidden: this namespace may not be deleted` {
		t.Fatalf("delete default: %v", err)
	}
}

func TestCreateSetsServerFields(t *testing.T) {
	e := openTest(t)
	p := testPod("", "web", nil)
	p.Status.Phase = "Running" // ignored on create
	out, err := e.Create(context.Background(), p, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*api.Pod)
	if got.Namespace != "default" || got.UID == "" || got.ResourceVersion == "" || got.CreationTimestamp.IsZero() {
		t.Fatalf("server fields not set: %+v", got.ObjectMeta)
	}
	if got.Status.Phase != "Pending" || got.Spec.RestartPolicy != "Always" || *got.Spec.TerminationGracePeriodSeconds != 30 {
		t.Fatalf("defaults/status: %+v %+v", got.Spec, got.Status)
	}
	if got.Kind != "Pod" || got.APIVersion != "v1" || got.Generation != 1 {
		t.Fatalf("type meta/generation: %+v %d", got.TypeMeta, got.Generation)
	}
	if p.UID != "" {
		t.Fatal("Create changed the caller's object")
	}
}

func TestCreateErrors(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	if _, err := e.Create(ctx, testPod("", "web", nil), CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		pod  *api.Pod
		is   error
		msg  string
	}{
		{"exists", testPod("", "web", nil), api.ErrAlreadyExists, `pods "web" already exists`},
		{"missing namespace", testPod("nope", "web", nil), api.ErrNotFound, `namespaces "nope" not found`},
		{"bad name", testPod("", "Kubia_Manual", nil), api.ErrInvalid, `Pod "Kubia_Manual" is invalid: metadata.name: Invalid value: "Kubia_Manual": a lowercase RFC 1123 subdomain`},
		{"no name", testPod("", "", nil), api.ErrInvalid, `Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Create(ctx, c.pod, CreateOptions{})
			if !errors.Is(err, c.is) || !strings.HasPrefix(err.Error(), c.msg) {
				t.Fatalf("got %v, want %v starting %q", err, c.is, c.msg)
			}
		})
	}
}

func TestGenerateName(t *testing.T) {
	e := openTest(t)
	p := testPod("", "", nil)
	p.GenerateName = "kubia-"
	out, err := e.Create(context.Background(), p, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name := out.GetObjectMeta().Name
	if len(name) != len("kubia-")+5 || !strings.HasPrefix(name, "kubia-") {
		t.Fatalf("generated name %q", name)
	}
}

func TestSameNameInTwoNamespaces(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	if _, err := e.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "other"}}, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"default", "other"} {
		if _, err := e.Create(ctx, testPod(ns, "web", nil), CreateOptions{}); err != nil {
			t.Fatalf("%s: %v", ns, err)
		}
	}
	all, err := e.List(ctx, "pods", ListOptions{})
	if err != nil || len(all.Items) != 2 {
		t.Fatalf("list all: %v %d", err, len(all.Items))
	}
	empty, err := e.List(ctx, "pods", ListOptions{Namespace: "missing"})
	if err != nil || len(empty.Items) != 0 {
		t.Fatalf("listing a missing namespace must be an empty list: %v", err)
	}
}

func TestStaleUpdateConflicts(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	p := testPod("", "web", nil)
	p.Spec.NodeName = "elsewhere" // bound: no controller writes to it meanwhile
	out, err := e.Create(ctx, p, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := out.DeepCopyObject()
	first.GetObjectMeta().Labels = map[string]string{"a": "1"}
	if _, err := e.Update(ctx, first, UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	stale := out.DeepCopyObject()
	stale.GetObjectMeta().Labels = map[string]string{"a": "2"}
	_, err = e.Update(ctx, stale, UpdateOptions{})
	want := `Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again`
	if !errors.Is(err, api.ErrConflict) || err.Error() != want {
		t.Fatalf("got %v", err)
	}
}

func TestNamespaceCascade(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	if _, err := e.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "doomed"}}, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if _, err := e.Create(ctx, testPod("doomed", n, nil), CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.Delete(ctx, "namespaces", "", "doomed", DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.(*api.Namespace).Status.Phase != "Terminating" {
		t.Fatalf("phase %q", out.(*api.Namespace).Status.Phase)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cluster.WaitFor(wctx, e, "namespaces", "", "doomed", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
	left, _ := e.List(ctx, "pods", ListOptions{Namespace: "doomed"})
	if len(left.Items) != 0 {
		t.Fatalf("%d pods left", len(left.Items))
	}
}

func TestTerminatingNamespaceRefusesContent(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.cancel() // stop the namespace controller so the namespace stays Terminating
	e.wg.Wait()
	e.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "doomed"}}, CreateOptions{})
	e.Create(ctx, testPod("doomed", "x", nil), CreateOptions{})
	if _, err := e.Delete(ctx, "namespaces", "", "doomed", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.Create(ctx, testPod("doomed", "kubia", nil), CreateOptions{})
	want := `pods "kubia" is forbidden: unable to create new content in namespace doomed because it is being terminated`
	if !errors.Is(err, api.ErrForbidden) || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	_, err = e.Delete(ctx, "namespaces", "", "doomed", DeleteOptions{})
	if !errors.Is(err, api.ErrConflict) || !strings.Contains(err.Error(), "The system is ensuring all content is removed from this namespace.  Upon") {
		t.Fatalf("second delete: %v", err)
	}
}

func TestLabelOverwriteRules(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.Create(ctx, testPod("", "web", map[string]string{"env": "prod"}), CreateOptions{})
	_, err := cluster.Label(ctx, e, "pods", "", "web", MetaChange{Set: map[string]string{"env": "debug"}})
	if err == nil || err.Error() != "'env' already has a value (prod), and --overwrite is false" {
		t.Fatalf("got %v", err)
	}
	res, err := cluster.Label(ctx, e, "pods", "", "web", MetaChange{Set: map[string]string{"env": "prod"}})
	if err != nil || res.Changed {
		t.Fatalf("same value: changed=%v err=%v", res.Changed, err)
	}
	res, err = cluster.Label(ctx, e, "pods", "", "web", MetaChange{Set: map[string]string{"env": "debug", "tier": "web"}, Overwrite: true})
	if err != nil || !res.Changed || res.Object.GetObjectMeta().Labels["env"] != "debug" {
		t.Fatalf("overwrite: %+v %v", res, err)
	}
	res, err = cluster.Label(ctx, e, "pods", "", "web", MetaChange{Remove: []string{"tier", "nope"}})
	if err != nil || !res.Changed || len(res.Missing) != 1 || res.Object.GetObjectMeta().Labels["tier"] != "" {
		t.Fatalf("remove: %+v %v", res, err)
	}
	sel, _ := e.List(ctx, "pods", ListOptions{LabelSelector: "env=debug"})
	if len(sel.Items) != 1 {
		t.Fatalf("select by label: %d", len(sel.Items))
	}
	_, err = cluster.Label(ctx, e, "pods", "", "web", MetaChange{Set: map[string]string{"bad key": "x"}})
	if !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("bad key: %v", err)
	}
}

func TestAnnotateOverwriteText(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	p := testPod("", "web", nil)
	p.Annotations = map[string]string{"a": "1", "b": "2"}
	e.Create(ctx, p, CreateOptions{})
	_, err := cluster.Annotate(ctx, e, "pods", "", "web", MetaChange{Set: map[string]string{"a": "x", "b": "y"}})
	want := "--overwrite is false but found the following declared annotation(s): 'a' already has a value (1); 'b' already has a value (2)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
}

func TestPatchMerges(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	e.Create(ctx, testPod("", "web", map[string]string{"a": "1", "b": "2"}), CreateOptions{})
	out, err := e.Patch(ctx, "pods", "", "web", []byte(`{"metadata":{"labels":{"a":null,"c":"3"}}}`), UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := out.GetObjectMeta().Labels
	if len(l) != 2 || l["b"] != "2" || l["c"] != "3" {
		t.Fatalf("labels %v", l)
	}
}

func TestRCWithoutTemplateIsInvalid(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	rc := &api.ReplicationController{ObjectMeta: api.ObjectMeta{Name: "kubia"}}
	out, err := e.Create(ctx, rc, CreateOptions{})
	if err == nil {
		t.Fatalf("an RC without a template must be invalid, got %v", out)
	}
}

// ListShared lists what List lists, as the store's own objects.
func TestListShared(t *testing.T) {
	e := openTest(t)
	ctx := context.Background()
	for _, name := range []string{"a", "b"} {
		if _, err := e.Create(ctx, testPod("", name, nil), CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The scheduler writes the new pods' status meanwhile: compare two
	// lists of the same resourceVersion, once its writes are done.
	var copies, shared, again *List
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if copies, err = e.List(ctx, "pods", ListOptions{}); err != nil {
			t.Fatal(err)
		}
		if shared, err = e.ListShared(ctx, "pods", ListOptions{}); err != nil {
			t.Fatal(err)
		}
		again, _ = e.ListShared(ctx, "pods", ListOptions{})
		rv := copies.ResourceVersion
		if shared.ResourceVersion == rv && again.ResourceVersion == rv || time.Now().After(deadline) {
			break
		}
	}
	if len(shared.Items) != 2 || shared.ResourceVersion != copies.ResourceVersion ||
		!reflect.DeepEqual(shared.Items, copies.Items) {
		t.Fatalf("shared list %+v differs from %+v", shared, copies)
	}
	if shared.Items[0] != again.Items[0] || shared.Items[0] == copies.Items[0] {
		t.Fatal("ListShared copied the objects, or List did not")
	}
	if _, err := e.ListShared(ctx, "pods", ListOptions{LabelSelector: "a in"}); !errors.Is(err, api.ErrBadRequest) {
		t.Fatalf("bad selector: %v", err)
	}
}
