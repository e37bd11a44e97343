package enginetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"k8s.io/apimachinery/pkg/labels"
)

// Open returns a fresh engine for one case.
type Open func(t *testing.T) cluster.Interface

// Run runs every case of the suite against the backends open returns.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		run  func(t *testing.T, c cluster.Interface)
	}{
		{"CreateSetsServerFields", testCreateSetsServerFields},
		{"CreateErrors", testCreateErrors},
		{"GenerateName", testGenerateName},
		{"DryRun", testDryRun},
		{"GetErrors", testGetErrors},
		{"UpdateAndConflicts", testUpdateAndConflicts},
		{"MergePatch", testMergePatch},
		{"Delete", testDelete},
		{"LabelSelectors", testLabelSelectors},
		{"FieldSelectors", testFieldSelectors},
		{"ListAcrossNamespaces", testListAcrossNamespaces},
		{"WatchFromList", testWatchFromList},
		{"WatchFromNow", testWatchFromNow},
		{"WatchSelectors", testWatchSelectors},
		{"WatchBadRevision", testWatchBadRevision},
		{"Namespaces", testNamespaces},
		{"LabelAndAnnotate", testLabelAndAnnotate},
		{"EventsOnSimulatedNode", testEvents},
		{"ReplicationController", testReplicationController},
		{"CordonDrain", testCordonDrain},
		{"PodIOOnSimulatedNode", testPodIO},
		{"WaitFor", testWaitFor},
		{"ImagesWithoutHostNode", testImagesWithoutHostNode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// Pod returns a pod with one busybox container.
func Pod(ns, name string, lbls map[string]string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name, Labels: lbls},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}},
	}
}

// SimulatedNode returns a node whose pods run without processes.
func SimulatedNode(name string, lbls map[string]string) *api.Node {
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: lbls,
		Annotations: map[string]string{api.NodeTypeAnnotation: api.NodeSimulated}}}
}

// RC returns a replication controller of busybox pods labelled app=name.
func RC(name string, replicas int32) *api.ReplicationController {
	sel := map[string]string{"app": name}
	return &api.ReplicationController{
		ObjectMeta: api.ObjectMeta{Name: name},
		Spec: api.ReplicationControllerSpec{Replicas: &replicas, Selector: sel,
			Template: &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: sel},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}},
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustCreate(t *testing.T, c cluster.Interface, obj api.Object) api.Object {
	t.Helper()
	out, err := c.Create(ctxT(t), obj, cluster.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s: %v", obj.GetObjectMeta().Name, err)
	}
	return out
}

// wantErr checks an error's class and exact text.
func wantErr(t *testing.T, what string, err, class error, msg string) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Fatalf("%s: got %v (%T), want class %v", what, err, err, class)
	}
	var se *api.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("%s: %T is no *api.StatusError", what, err)
	}
	if msg != "" && err.Error() != msg {
		t.Fatalf("%s:\n got %q\nwant %q", what, err.Error(), msg)
	}
}

func names(objs []api.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.GetObjectMeta().Name
	}
	return out
}

func sortedNames(objs []api.Object) string {
	n := names(objs)
	sort.Strings(n)
	return strings.Join(n, ",")
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %s", what, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testCreateSetsServerFields(t *testing.T, c cluster.Interface) {
	p := Pod("", "web", map[string]string{"app": "web"})
	p.Status.Phase = "Running" // ignored on create
	got := mustCreate(t, c, p).(*api.Pod)
	if got.Namespace != "default" || got.UID == "" || got.ResourceVersion == "" || got.CreationTimestamp.IsZero() {
		t.Fatalf("server fields not set: %+v", got.ObjectMeta)
	}
	if got.Kind != "Pod" || got.APIVersion != "v1" || got.Generation != 1 {
		t.Fatalf("type meta or generation: %+v %d", got.TypeMeta, got.Generation)
	}
	if got.Status.Phase != "Pending" || got.Spec.RestartPolicy != "Always" || *got.Spec.TerminationGracePeriodSeconds != 30 {
		t.Fatalf("defaults or status: %+v %+v", got.Spec, got.Status)
	}
	if p.UID != "" {
		t.Fatal("Create changed the caller's object")
	}
	back, err := c.Get(ctxT(t), "pods", "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	if back.GetObjectMeta().UID != got.UID || back.(*api.Pod).Spec.Containers[0].Image != "busybox" {
		t.Fatalf("get: %+v", back)
	}
	ns := mustCreate(t, c, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team"}}).(*api.Namespace)
	if ns.Status.Phase != "Active" || ns.Namespace != "" {
		t.Fatalf("namespace: %+v", ns)
	}
}

func testCreateErrors(t *testing.T, c cluster.Interface) {
	mustCreate(t, c, Pod("", "web", nil))
	noImage := Pod("", "noimage", nil)
	noImage.Spec.Containers[0].Image = ""
	cases := []struct {
		name  string
		obj   api.Object
		class error
		msg   string
	}{
		{"exists", Pod("", "web", nil), api.ErrAlreadyExists, `pods "web" already exists`},
		{"missing namespace", Pod("nope", "web", nil), api.ErrNotFound, `namespaces "nope" not found`},
		{"bad name", Pod("", "Kubia_Manual", nil), api.ErrInvalid, ""},
		{"no name", Pod("", "", nil), api.ErrInvalid, `Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
		{"no image", noImage, api.ErrInvalid, `Pod "noimage" is invalid: spec.containers[0].image: Required value`},
		{"resourceVersion set", &api.Pod{ObjectMeta: api.ObjectMeta{Name: "rv", ResourceVersion: "5"},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}},
			api.ErrBadRequest, "resourceVersion should not be set on objects to be created"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Create(ctxT(t), tc.obj, cluster.CreateOptions{})
			wantErr(t, tc.name, err, tc.class, tc.msg)
		})
	}
	_, err := c.Create(ctxT(t), Pod("", "Kubia_Manual", nil), cluster.CreateOptions{})
	var se *api.StatusError
	if !errors.As(err, &se) || se.Details == nil || len(se.Details.Causes) == 0 || se.Details.Causes[0].Field != "metadata.name" ||
		!strings.HasPrefix(err.Error(), `Pod "Kubia_Manual" is invalid: metadata.name: Invalid value: "Kubia_Manual": a lowercase RFC 1123 subdomain`) {
		t.Fatalf("invalid name: %v %+v", err, se)
	}
	if se.Code != 422 || se.Details.Kind != "Pod" || se.Details.Name != "Kubia_Manual" {
		t.Fatalf("invalid details: %+v %+v", se, se.Details)
	}
}

func testGenerateName(t *testing.T, c cluster.Interface) {
	p := Pod("", "", nil)
	p.GenerateName = "kubia-"
	name := mustCreate(t, c, p).GetObjectMeta().Name
	if len(name) != len("kubia-")+5 || !strings.HasPrefix(name, "kubia-") {
		t.Fatalf("generated name %q", name)
	}
}

func testDryRun(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	out, err := c.Create(ctx, Pod("", "dry", nil), cluster.CreateOptions{DryRun: true})
	if err != nil || out.GetObjectMeta().Name != "dry" {
		t.Fatalf("dry-run create: %v %v", out, err)
	}
	_, err = c.Get(ctx, "pods", "", "dry")
	wantErr(t, "get after dry run", err, api.ErrNotFound, `pods "dry" not found`)
	mustCreate(t, c, Pod("", "real", nil))
	if _, err := c.Delete(ctx, "pods", "", "real", cluster.DeleteOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "pods", "", "real"); err != nil {
		t.Fatalf("dry-run delete deleted: %v", err)
	}
}

func testGetErrors(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	cases := []struct {
		name, resource, ns, obj string
		class                   error
		msg                     string
	}{
		{"missing pod", "pods", "default", "nope", api.ErrNotFound, `pods "nope" not found`},
		{"missing node", "nodes", "", "n9", api.ErrNotFound, `nodes "n9" not found`},
		{"missing namespace", "namespaces", "", "gone", api.ErrNotFound, `namespaces "gone" not found`},
		{"unknown resource", "widgets", "", "x", api.ErrNotFound, `resources "widgets" not found`},
		{"short name", "po", "default", "nope", api.ErrNotFound, `pods "nope" not found`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Get(ctx, tc.resource, tc.ns, tc.obj)
			wantErr(t, tc.name, err, tc.class, tc.msg)
		})
	}
	if _, err := c.Get(ctx, "namespaces", "", "default"); err != nil {
		t.Fatalf("default namespace: %v", err)
	}
}

func testUpdateAndConflicts(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	p := Pod("", "web", nil)
	p.Spec.NodeName = "elsewhere" // bound to a node nobody runs: nothing writes to it
	out := mustCreate(t, c, p)
	first := out.DeepCopyObject()
	first.GetObjectMeta().Labels = map[string]string{"a": "1"}
	upd, err := c.Update(ctx, first, cluster.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if upd.GetObjectMeta().Labels["a"] != "1" || upd.GetObjectMeta().ResourceVersion == out.GetObjectMeta().ResourceVersion {
		t.Fatalf("update: %+v", upd.GetObjectMeta())
	}
	stale := out.DeepCopyObject()
	stale.GetObjectMeta().Labels = map[string]string{"a": "2"}
	_, err = c.Update(ctx, stale, cluster.UpdateOptions{})
	wantErr(t, "stale update", err, api.ErrConflict,
		`Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again`)
	_, err = c.Update(ctx, Pod("", "absent", nil), cluster.UpdateOptions{})
	wantErr(t, "update of a missing pod", err, api.ErrNotFound, `pods "absent" not found`)
	changed := upd.DeepCopyObject().(*api.Pod)
	changed.Spec.Containers = append(changed.Spec.Containers, api.Container{Name: "extra", Image: "busybox"})
	_, err = c.Update(ctx, changed, cluster.UpdateOptions{})
	wantErr(t, "immutable pod spec", err, api.ErrInvalid, "")
}

func testMergePatch(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	p := Pod("", "web", map[string]string{"app": "web", "env": "dev"})
	p.Spec.NodeName = "elsewhere"
	out := mustCreate(t, c, p)
	got, err := c.Patch(ctx, "pods", "", "web", []byte(`{"metadata":{"labels":{"env":"prod","app":null}}}`), cluster.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l := got.GetObjectMeta().Labels; len(l) != 1 || l["env"] != "prod" {
		t.Fatalf("labels after patch: %v", l)
	}
	stale := fmt.Sprintf(`{"metadata":{"resourceVersion":%q,"labels":{"x":"y"}}}`, out.GetObjectMeta().ResourceVersion)
	_, err = c.Patch(ctx, "pods", "", "web", []byte(stale), cluster.UpdateOptions{})
	wantErr(t, "stale patch", err, api.ErrConflict, "")
	_, err = c.Patch(ctx, "pods", "", "web", []byte(`{"metadata":`), cluster.UpdateOptions{})
	wantErr(t, "malformed patch", err, api.ErrBadRequest, "")
	_, err = c.Patch(ctx, "pods", "", "nope", []byte(`{}`), cluster.UpdateOptions{})
	wantErr(t, "patch of a missing pod", err, api.ErrNotFound, `pods "nope" not found`)
	_, err = c.Patch(ctx, "pods", "", "web", []byte(`{"metadata":{"labels":{"bad key!":"x"}}}`), cluster.UpdateOptions{})
	wantErr(t, "invalid label", err, api.ErrInvalid, "")
}

func testDelete(t *testing.T, c cluster.Interface) {
	ctx := ctxT(t)
	out := mustCreate(t, c, Pod("", "web", nil))
	_, err := c.Delete(ctx, "pods", "", "web", cluster.DeleteOptions{PreconditionUID: "not-the-uid"})
	wantErr(t, "precondition", err, api.ErrConflict,
		`Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: not-the-uid, UID in object meta: `+out.GetObjectMeta().UID)
	gone, err := c.Delete(ctx, "pods", "", "web", cluster.DeleteOptions{PreconditionUID: out.GetObjectMeta().UID})
	if err != nil || gone.GetObjectMeta().Name != "web" {
		t.Fatalf("delete: %v %v", gone, err)
	}
	_, err = c.Get(ctx, "pods", "", "web")
	wantErr(t, "get after delete", err, api.ErrNotFound, `pods "web" not found`)
	_, err = c.Delete(ctx, "pods", "", "web", cluster.DeleteOptions{})
	wantErr(t, "second delete", err, api.ErrNotFound, `pods "web" not found`)
	_, err = c.Delete(ctx, "namespaces", "", "default", cluster.DeleteOptions{})
	wantErr(t, "delete default", err, api.ErrForbidden, `namespaces "default" is forbidden: this namespace may not be deleted`)
	_, err = c.Delete(ctx, "pods", "", "x", cluster.DeleteOptions{PropagationPolicy: "Sometimes"})
	if err == nil {
		t.Fatal("a bad propagation policy must fail")
	}
}

func testLabelSelectors(t *testing.T, c cluster.Interface) {
	for name, l := range map[string]map[string]string{
		"a": {"app": "kubia", "env": "prod"},
		"b": {"app": "kubia", "env": "dev"},
		"c": {"app": "other"},
		"d": nil,
	} {
		mustCreate(t, c, Pod("", name, l))
	}
	cases := []struct{ sel, want string }{
		{"", "a,b,c,d"},
		{"app=kubia", "a,b"},
		{"app==kubia", "a,b"},
		{"app!=kubia", "c,d"},
		{"env in (prod,dev)", "a,b"},
		{"env notin (prod)", "b,c,d"},
		{"env", "a,b"},
		{"!env", "c,d"},
		{"app=kubia,env=prod", "a"},
		{"app in (kubia, other),!env", "c"},
		{"app=nothing", ""},
	}
	for _, tc := range cases {
		t.Run(tc.sel, func(t *testing.T) {
			l, err := c.List(ctxT(t), "pods", cluster.ListOptions{Namespace: "default", LabelSelector: tc.sel})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedNames(l.Items); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if l.ResourceVersion == "" {
				t.Fatal("list without resourceVersion")
			}
		})
	}
	for _, bad := range []string{"app=(", "a b", "env in prod", "=x"} {
		_, perr := labels.Parse(bad)
		_, err := c.List(ctxT(t), "pods", cluster.ListOptions{LabelSelector: bad})
		wantErr(t, "selector "+bad, err, api.ErrBadRequest, perr.Error())
	}
}

func testFieldSelectors(t *testing.T, c cluster.Interface) {
	mustCreate(t, c, SimulatedNode("n1", nil))
	a := Pod("", "a", nil)
	a.Spec.NodeName = "n1"
	mustCreate(t, c, a)
	b := Pod("", "b", nil)
	b.Spec.NodeSelector = map[string]string{"no": "where"} // stays Pending, unscheduled
	mustCreate(t, c, b)
	eventually(t, "pod a running", func() (bool, string) {
		l, err := c.List(ctxT(t), "pods", cluster.ListOptions{FieldSelector: "status.phase=Running"})
		return err == nil && sortedNames(l.Items) == "a", fmt.Sprint(err)
	})
	cases := []struct{ sel, want string }{
		{"metadata.name=b", "b"},
		{"metadata.name!=b", "a"},
		{"spec.nodeName=n1", "a"},
		{"spec.nodeName=", "b"},
		{"metadata.namespace=default,metadata.name==a", "a"},
		{"status.phase!=Running,status.phase!=Succeeded", "b"},
	}
	for _, tc := range cases {
		t.Run(tc.sel, func(t *testing.T) {
			l, err := c.List(ctxT(t), "pods", cluster.ListOptions{FieldSelector: tc.sel})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedNames(l.Items); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	_, err := c.List(ctxT(t), "pods", cluster.ListOptions{FieldSelector: "spec.color=red"})
	wantErr(t, "unsupported field", err, api.ErrBadRequest, "")
	if !strings.Contains(err.Error(), "field label not supported: spec.color") {
		t.Fatalf("unsupported field text: %v", err)
	}
}

func testListAcrossNamespaces(t *testing.T, c cluster.Interface) {
	mustCreate(t, c, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "other"}})
	mustCreate(t, c, Pod("default", "web", nil))
	mustCreate(t, c, Pod("other", "web", nil))
	ctx := ctxT(t)
	all, err := c.List(ctx, "pods", cluster.ListOptions{})
	if err != nil || len(all.Items) != 2 {
		t.Fatalf("all namespaces: %v %d", err, len(all.Items))
	}
	if all.Items[0].GetObjectMeta().Namespace != "default" || all.Items[1].GetObjectMeta().Namespace != "other" {
		t.Fatalf("order: %v %v", all.Items[0].GetObjectMeta(), all.Items[1].GetObjectMeta())
	}
	one, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "other"})
	if err != nil || len(one.Items) != 1 || one.Items[0].GetObjectMeta().Namespace != "other" {
		t.Fatalf("one namespace: %v %v", err, one)
	}
	none, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "missing"})
	if err != nil || len(none.Items) != 0 {
		t.Fatalf("a missing namespace lists empty: %v %v", err, none)
	}
	nss, err := c.List(ctx, "namespaces", cluster.ListOptions{})
	if err != nil || !strings.Contains(sortedNames(nss.Items), "default,kube-node-lease,kube-public,kube-system,other") {
		t.Fatalf("namespaces: %v %v", err, sortedNames(nss.Items))
	}
}

// testImagesWithoutHostNode: an engine that runs no node of this machine
// has no image store, and says so the same way on every backend.
func testImagesWithoutHostNode(t *testing.T, c cluster.Interface) {
	is, ok := c.(cluster.ImageService)
	if !ok {
		t.Skip("this backend has no ImageService")
	}
	const msg = "this engine runs no node of this machine, so it has no image store (it needs root)"
	_, err := is.ListImages(ctxT(t))
	wantErr(t, "list images", err, api.ErrBadRequest, msg)
	_, err = is.ImportImage(ctxT(t), "x", "/nonexistent")
	wantErr(t, "import", err, api.ErrBadRequest, msg)
	err = is.RemoveImage(ctxT(t), "docker.io/library/busybox:latest")
	wantErr(t, "remove", err, api.ErrBadRequest, msg)
	_, err = is.BuildImage(ctxT(t), cluster.ImageBuild{Name: "x", From: "busybox"})
	wantErr(t, "build", err, api.ErrBadRequest, msg)
	_, err = is.PullImage(ctxT(t), "localhost:5000/x", true)
	wantErr(t, "pull", err, api.ErrBadRequest, msg)
}
