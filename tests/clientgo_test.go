package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/daemon"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
)

// cgEngine is an engine served by daemon.Run in this process over its
// unix socket and an HTTPS listener on a free loopback port, reached the
// way kubectl and client-go reach it: through the kubeconfig it writes.
type cgEngine struct {
	home       string
	kubeconfig string
	cfg        *rest.Config
	cs         *kubernetes.Clientset
}

// startCGEngine runs an engine without a node (host=false), or with
// this machine as its node on a bridge, cluster CIDR and cgroup parent of
// the test's own (host=true: root only). Cleanup deletes every pod, stops
// the engine and removes the bridge and cgroups.
func startCGEngine(t *testing.T, host bool) *cgEngine {
	t.Helper()
	eopts := engine.Options{NoHostNode: true}
	if host {
		if os.Geteuid() != 0 {
			t.Skip("needs root: runs real containers in namespaces and cgroups")
		}
		if _, err := os.Stat("/bin/busybox"); err != nil {
			t.Skip("needs /bin/busybox (busybox-static) for the busybox image")
		}
		eopts = engine.Options{
			// Bridge and CIDR follow the pid: another process may be running
			// this package's tests at the same time.
			Network: network.Options{Bridge: fmt.Sprintf("mink%d", os.Getpid()%100000), ClusterCIDR: fmt.Sprintf("10.%d.0.0/16", 160+os.Getpid()%32),
				StateDir: filepath.Join(t.TempDir(), "net")},
			CgroupParent: fmt.Sprintf("min-kubetest-%d", os.Getpid()),
		}
	}
	k := &cgEngine{home: t.TempDir()}
	k.kubeconfig = daemon.KubeconfigPath(k.home)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, k.home, daemon.Options{Engine: eopts, Listen: "127.0.0.1:0", Log: io.Discard,
			Ready: func() { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("engine: %v", err)
	}
	t.Cleanup(func() {
		if k.cs != nil {
			k.deleteAllPods(t)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
		if host {
			removeBridge(t, eopts.Network)
			if self, err := cgroup.Self(cgroup.Detect()); err == nil {
				if err := self.Child(eopts.CgroupParent).Remove(5 * time.Second); err != nil {
					t.Errorf("cleanup: %v", err)
				}
			}
		}
	})
	var err error
	if k.cfg, err = clientcmd.BuildConfigFromFlags("", k.kubeconfig); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.cfg.Host, "https://127.0.0.1:") || k.cfg.BearerToken == "" {
		t.Fatalf("kubeconfig: host %q, token set %v", k.cfg.Host, k.cfg.BearerToken != "")
	}
	// client-go's defaults: its typed clientset sends protobuf bodies.
	k.cfg.QPS, k.cfg.Burst = 1000, 1000 // the churn tests send hundreds of requests
	if k.cs, err = kubernetes.NewForConfig(k.cfg); err != nil {
		t.Fatal(err)
	}
	return k
}

// removeBridge removes the test's bridge, waiting for the sandboxes of
// deleted pods, which go in the background, to release it.
func removeBridge(t *testing.T, opts network.Options) {
	m, err := network.New(opts)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := m.RemoveBridge()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("cleanup: %v", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deleteAllPods deletes every pod at once and waits until they are gone
// (a real pod's processes have stopped then).
func (k *cgEngine) deleteAllPods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zero := int64(0)
	list, err := k.cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, p := range list.Items {
		k.cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	}
	for {
		left, err := k.cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err == nil && len(left.Items) == 0 {
			time.Sleep(500 * time.Millisecond) // sandboxes go in the background
			return
		}
		if ctx.Err() != nil {
			t.Errorf("cleanup: pods left: %v %v", left, err)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func cgPod(name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
}

func cgNames(pods []corev1.Pod) []string {
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

func TestClientGoTypedClientset(t *testing.T) {
	k := startCGEngine(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cg"}}
	if _, err := k.cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := k.cs.CoreV1().Pods("cg")
	for i, app := range []string{"web", "web", "db"} {
		p := cgPod(fmt.Sprintf("%s-%d", app, i), map[string]string{"app": app, "tier": fmt.Sprint(i)})
		got, err := pods.Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.UID == "" || got.ResourceVersion == "" || got.CreationTimestamp.IsZero() || got.Namespace != "cg" {
			t.Fatalf("created %+v", got.ObjectMeta)
		}
	}
	if _, err := pods.Create(ctx, cgPod("web-0", nil), metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Fatalf("second create: %v", err)
	}
	got, err := pods.Get(ctx, "web-0", metav1.GetOptions{})
	if err != nil || got.Labels["app"] != "web" || got.Spec.Containers[0].Image != "busybox" {
		t.Fatalf("get: %+v %v", got, err)
	}

	selections := []struct {
		name          string
		label, fields string
		want          []string
	}{
		{"label equality", "app=web", "", []string{"web-0", "web-1"}},
		{"label set", "app in (db),tier!=5", "", []string{"db-2"}},
		{"label existence", "!app", "", nil},
		{"field name", "", "metadata.name=web-1", []string{"web-1"}},
		{"field inequality", "", "metadata.name!=web-1", []string{"db-2", "web-0"}},
		{"field phase and label", "app=web", "status.phase=Pending,metadata.namespace=cg", []string{"web-0", "web-1"}},
	}
	for _, s := range selections {
		l, err := pods.List(ctx, metav1.ListOptions{LabelSelector: s.label, FieldSelector: s.fields})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := cgNames(l.Items); fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Errorf("%s: %v, want %v", s.name, got, s.want)
		}
		if l.ResourceVersion == "" {
			t.Errorf("%s: list without resourceVersion", s.name)
		}
	}
	if _, err := pods.List(ctx, metav1.ListOptions{FieldSelector: "spec.nope=1"}); !apierrors.IsBadRequest(err) {
		t.Errorf("unsupported field selector: %v", err)
	}

	patched, err := pods.Patch(ctx, "web-0", types.MergePatchType, []byte(`{"metadata":{"labels":{"tier":null,"env":"prod"}}}`), metav1.PatchOptions{})
	if err != nil || patched.Labels["env"] != "prod" || patched.Labels["tier"] != "" || patched.ResourceVersion == got.ResourceVersion {
		t.Fatalf("merge patch: %v %v", patched.Labels, err)
	}
	patched.Annotations = map[string]string{"note": "updated"}
	updated, err := pods.Update(ctx, patched, metav1.UpdateOptions{})
	if err != nil || updated.Annotations["note"] != "updated" {
		t.Fatalf("update: %v", err)
	}
	if _, err := pods.Update(ctx, patched, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("update with a stale resourceVersion: %v", err)
	}

	if err := pods.Delete(ctx, "web-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "web-1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := pods.Delete(ctx, "web-1", metav1.DeleteOptions{}); !apierrors.IsNotFound(err) || err.Error() != `pods "web-1" not found` {
		t.Fatalf("second delete: %v", err)
	}
}

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
var rcGVR = schema.GroupVersionResource{Version: "v1", Resource: "replicationcontrollers"}

func TestClientGoDynamicClient(t *testing.T) {
	k := startCGEngine(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dc, err := dynamic.NewForConfig(k.cfg)
	if err != nil {
		t.Fatal(err)
	}
	rc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ReplicationController",
		"metadata": map[string]any{"name": "kubia", "labels": map[string]any{"app": "kubia"}},
		"spec": map[string]any{"replicas": int64(0), "selector": map[string]any{"app": "kubia"},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "kubia"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "kubia", "image": "busybox"}}}}},
	}}
	rcs := dc.Resource(rcGVR).Namespace("default")
	created, err := rcs.Create(ctx, rc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetUID() == "" || created.GetKind() != "ReplicationController" {
		t.Fatalf("created %v", created.Object)
	}
	pods := dc.Resource(podsGVR).Namespace("default")
	for _, name := range []string{"a", "b"} {
		p := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{"name": name, "labels": map[string]any{"letter": name}},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}
		if _, err := pods.Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := pods.List(ctx, metav1.ListOptions{LabelSelector: "letter=b"})
	if err != nil || len(l.Items) != 1 || l.Items[0].GetName() != "b" || l.GetResourceVersion() == "" {
		t.Fatalf("list: %v %v", l, err)
	}
	p, err := rcs.Patch(ctx, "kubia", types.MergePatchType, []byte(`{"spec":{"replicas":0},"metadata":{"annotations":{"a":"b"}}}`), metav1.PatchOptions{})
	if err != nil || p.GetAnnotations()["a"] != "b" {
		t.Fatalf("patch: %v", err)
	}
	if err := rcs.Delete(ctx, "kubia", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rcs.Get(ctx, "kubia", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestClientGoWatchFromResourceVersion(t *testing.T) {
	k := startCGEngine(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pods := k.cs.CoreV1().Pods("default")
	if _, err := pods.Create(ctx, cgPod("before", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	l, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Changes made after the list and before the watch opens must arrive.
	var want []string
	change := func(typ, name string, f func() error) {
		if err := f(); err != nil {
			t.Fatalf("%s %s: %v", typ, name, err)
		}
		want = append(want, typ+" "+name)
	}
	change("ADDED", "one", func() error { _, err := pods.Create(ctx, cgPod("one", nil), metav1.CreateOptions{}); return err })
	change("MODIFIED", "before", func() error {
		_, err := pods.Patch(ctx, "before", types.MergePatchType, []byte(`{"metadata":{"labels":{"x":"1"}}}`), metav1.PatchOptions{})
		return err
	})
	w, err := pods.Watch(ctx, metav1.ListOptions{ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	change("DELETED", "one", func() error { return pods.Delete(ctx, "one", metav1.DeleteOptions{}) })
	for i := 0; i < 50; i++ {
		name := fmt.Sprintf("p%02d", i)
		change("ADDED", name, func() error { _, err := pods.Create(ctx, cgPod(name, nil), metav1.CreateOptions{}); return err })
	}
	// Every change must arrive, in order, at increasing resource versions.
	// The scheduler's status updates (these pods fit on no node) come as
	// extra MODIFIED events between them.
	var got []string
	next := 0
	last := l.ResourceVersion
	for next < len(want) {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("the watch ended after %v", got)
			}
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				t.Fatalf("event %s carries %T", ev.Type, ev.Object)
			}
			if !cgRVAfter(p.ResourceVersion, last) {
				t.Fatalf("event %s %s at resourceVersion %s after %s", ev.Type, p.Name, p.ResourceVersion, last)
			}
			last = p.ResourceVersion
			e := string(ev.Type) + " " + p.Name
			got = append(got, e)
			switch {
			case e == want[next]:
				next++
			case ev.Type != watch.Modified:
				t.Fatalf("event %q where %q was due; so far %v", e, want[next], got)
			}
		case <-ctx.Done():
			t.Fatalf("got %d of %d changes: %v", next, len(want), got)
		}
	}
}

// cgRVAfter compares resource versions as numbers (Min's are).
func cgRVAfter(a, b string) bool {
	return len(a) > len(b) || len(a) == len(b) && a > b
}

// TestClientGoInformerStaysInSync churns pods from several goroutines
// while a SharedInformer watches them; afterwards its cache must equal the
// server's list, object for object and revision for revision. It runs
// with client-go's default (the watch-list stream) and with a plain
// list+watch.
func TestClientGoInformerStaysInSync(t *testing.T) {
	k := startCGEngine(t, false)
	for _, mode := range []string{"list-watch", "default"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			ns := "inf-" + mode
			if _, err := k.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			pods := k.cs.CoreV1().Pods(ns)
			for i := 0; i < 20; i++ { // some exist before the informer starts
				if _, err := pods.Create(ctx, cgPod(fmt.Sprintf("pre-%d", i), nil), metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if mode == "default" && !watchListServed(t, k, ns) {
				t.Fatal("the engine's watch does not end sendInitialEvents=true with the k8s.io/initial-events-end bookmark, so client-go's default (watch-list) informers would never sync")
			}
			inf := cgInformer(k.cs, ns, mode == "list-watch")
			var events cgCounter
			inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
				AddFunc:    func(any) { events.add() },
				UpdateFunc: func(any, any) { events.add() },
				DeleteFunc: func(any) { events.add() },
			})
			stop := make(chan struct{})
			defer close(stop)
			go inf.Run(stop)
			syncCtx, syncCancel := context.WithTimeout(ctx, 20*time.Second)
			defer syncCancel()
			if !cache.WaitForCacheSync(syncCtx.Done(), inf.HasSynced) {
				t.Fatal("the informer never synced")
			}
			cgChurn(t, ctx, pods, 4, 40)
			cgWaitInSync(t, ctx, pods, inf.GetStore())
			if events.get() < 20+4*40 {
				t.Errorf("only %d handler calls", events.get())
			}
		})
	}
}

// watchListServed reports whether a watch with sendInitialEvents=true
// ends its initial events with the bookmark client-go's reflector waits
// for.
func watchListServed(t *testing.T, k *cgEngine, ns string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	yes := true
	w, err := k.cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{SendInitialEvents: &yes, AllowWatchBookmarks: true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
	if err != nil {
		return false
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type == watch.Bookmark && p.Annotations[metav1.InitialEventsAnnotationKey] == "true" {
			return true
		}
	}
	return false
}

type cgCounter struct {
	mu sync.Mutex
	n  int
}

func (c *cgCounter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }
func (c *cgCounter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// cgInformer watches the pods of ns; plain selects list+watch (a lister
// that says it cannot do watch-list).
func cgInformer(cs *kubernetes.Clientset, ns string, plain bool) cache.SharedIndexInformer {
	if !plain {
		f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
		return f.Core().V1().Pods().Informer()
	}
	lw := cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "pods", ns, fields.Everything())
	return cache.NewSharedIndexInformer(cgNoWatchList{lw}, &corev1.Pod{}, 0, cache.Indexers{})
}

// cgNoWatchList makes the reflector use list then watch.
type cgNoWatchList struct{ *cache.ListWatch }

func (cgNoWatchList) IsWatchListSemanticsUnSupported() bool { return true }

// cgChurn has n goroutines each create, relabel and delete pods.
func cgChurn(t *testing.T, ctx context.Context, pods interface {
	Create(context.Context, *corev1.Pod, metav1.CreateOptions) (*corev1.Pod, error)
	Patch(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (*corev1.Pod, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}, workers, each int) {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				if _, err := pods.Create(ctx, cgPod(name, nil), metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
				patch := fmt.Sprintf(`{"metadata":{"labels":{"round":"%d"}}}`, i)
				if _, err := pods.Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
					errs <- err
					return
				}
				if i%3 == 0 {
					if err := pods.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// cgWaitInSync waits until the informer's store holds exactly the server's
// pods at their current resource versions.
func cgWaitInSync(t *testing.T, ctx context.Context, pods interface {
	List(context.Context, metav1.ListOptions) (*corev1.PodList, error)
}, store cache.Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := pods.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want, got := map[string]string{}, map[string]string{}
		for _, p := range l.Items {
			want[p.Name] = p.ResourceVersion
		}
		for _, o := range store.List() {
			p := o.(*corev1.Pod)
			got[p.Name] = p.ResourceVersion
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("informer cache (%d pods) differs from the server (%d pods):\n%v\n%v", len(got), len(want), got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cgWebPod runs busybox's httpd on 8080 serving "page", after printing
// "hello" to its log.
func cgWebPod(name string) *corev1.Pod {
	one := int64(1)
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &one, Containers: []corev1.Container{{Name: "web", Image: "busybox",
			Command: []string{"sh", "-c", "echo hello; mkdir -p /www; echo page > /www/index.html; exec httpd -f -p 8080 -h /www"}}}}}
}

// startPod creates a pod and waits until it runs.
func (k *cgEngine) startPod(t *testing.T, p *corev1.Pod) *corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := k.cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		got, err := k.cs.CoreV1().Pods("default").Get(ctx, p.Name, metav1.GetOptions{})
		if err == nil && got.Status.Phase == corev1.PodRunning && got.Status.PodIP != "" {
			return got
		}
		if ctx.Err() != nil {
			t.Fatalf("pod %s never ran: %+v %v", p.Name, got.Status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestClientGoPodIO(t *testing.T) {
	k := startCGEngine(t, true)
	k.startPod(t, cgWebPod("web"))
	pods := k.cs.CoreV1().Pods("default")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("logs", func(t *testing.T) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, err := pods.GetLogs("web", &corev1.PodLogOptions{}).DoRaw(ctx)
			if err == nil && string(b) == "hello\n" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("logs %q %v", b, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		ts, err := pods.GetLogs("web", &corev1.PodLogOptions{Timestamps: true, Container: "web"}).DoRaw(ctx)
		stamp, text, _ := strings.Cut(string(ts), " ")
		if _, perr := time.Parse(time.RFC3339Nano, stamp); err != nil || perr != nil || text != "hello\n" {
			t.Fatalf("timestamps: %q %v", ts, err)
		}
		// A followed log shows what the container writes later.
		fctx, fcancel := context.WithCancel(ctx)
		defer fcancel()
		rc, err := pods.GetLogs("web", &corev1.PodLogOptions{Follow: true}).Stream(fctx)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		var out bytes.Buffer
		cgExec(t, k, "web", []string{"sh", "-c", "echo later > /proc/1/fd/1"}, nil, &out, &out, "spdy")
		got := cgReadUntil(t, rc, "later\n")
		if got != "hello\nlater\n" {
			t.Fatalf("followed log %q", got)
		}
		if _, err := pods.GetLogs("web", &corev1.PodLogOptions{Container: "nope"}).DoRaw(ctx); !apierrors.IsBadRequest(err) {
			t.Fatalf("logs of a missing container: %v", err)
		}
	})

	for _, how := range []string{"spdy", "websocket"} {
		t.Run("exec/"+how, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := cgExec(t, k, "web", []string{"sh", "-c", "cat; echo oops >&2; exit 3"}, strings.NewReader("from stdin\n"), &stdout, &stderr, how)
			var exit interface{ ExitStatus() int }
			if !errors.As(err, &exit) || exit.ExitStatus() != 3 || err.Error() != "command terminated with exit code 3" {
				t.Fatalf("exit: %v", err)
			}
			if stdout.String() != "from stdin\n" || stderr.String() != "oops\n" {
				t.Fatalf("stdout %q stderr %q", stdout.String(), stderr.String())
			}
			stdout.Reset()
			if err := cgExec(t, k, "web", []string{"hostname"}, nil, &stdout, &stderr, how); err != nil || stdout.String() != "web\n" {
				t.Fatalf("hostname: %q %v", stdout.String(), err)
			}
		})
		t.Run("tty/"+how, func(t *testing.T) {
			var stdout bytes.Buffer
			err := cgExecTTY(t, k, "web", []string{"tty"}, strings.NewReader(""), &stdout, how)
			if err != nil || !strings.HasPrefix(stdout.String(), "/dev/pts/") || !strings.HasSuffix(stdout.String(), "\r\n") {
				t.Fatalf("tty: %q %v", stdout.String(), err)
			}
		})
		t.Run("portforward/"+how, func(t *testing.T) {
			local := cgForward(t, k, "web", 8080, how)
			for i := 0; i < 3; i++ {
				resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", local))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "page\n" {
					t.Fatalf("GET through the forward: %d %q", resp.StatusCode, b)
				}
			}
		})
	}
}

// cgReadUntil reads r until what it read ends with suffix.
func cgReadUntil(t *testing.T, r io.Reader, suffix string) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 4096)
	for !strings.HasSuffix(string(got), suffix) {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read %q: %v", got, err)
		}
	}
	return string(got)
}

// streamURL is the URL of a pod's exec or portforward subresource.
func (k *cgEngine) streamURL(pod, sub string, opts *corev1.PodExecOptions) *url.URL {
	req := k.cs.CoreV1().RESTClient().Post().Resource("pods").Namespace("default").Name(pod).SubResource(sub)
	if opts != nil {
		req = req.VersionedParams(opts, scheme.ParameterCodec)
	}
	return req.URL()
}

func (k *cgEngine) executor(t *testing.T, u *url.URL, how string) remotecommand.Executor {
	t.Helper()
	var ex remotecommand.Executor
	var err error
	if how == "websocket" {
		ex, err = remotecommand.NewWebSocketExecutor(k.cfg, "GET", u.String())
	} else {
		ex, err = remotecommand.NewSPDYExecutor(k.cfg, "POST", u)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// cgExec runs a command in the pod's first container through client-go's
// SPDY or WebSocket executor.
func cgExec(t *testing.T, k *cgEngine, pod string, cmd []string, stdin io.Reader, stdout, stderr io.Writer, how string) error {
	t.Helper()
	opts := &corev1.PodExecOptions{Container: "web", Command: cmd, Stdin: stdin != nil, Stdout: true, Stderr: true}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return k.executor(t, k.streamURL(pod, "exec", opts), how).StreamWithContext(ctx,
		remotecommand.StreamOptions{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// cgExecTTY runs a command with a terminal, as kubectl exec -it does.
func cgExecTTY(t *testing.T, k *cgEngine, pod string, cmd []string, stdin io.Reader, stdout io.Writer, how string) error {
	t.Helper()
	opts := &corev1.PodExecOptions{Container: "web", Command: cmd, Stdin: true, Stdout: true, TTY: true}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return k.executor(t, k.streamURL(pod, "exec", opts), how).StreamWithContext(ctx,
		remotecommand.StreamOptions{Stdin: stdin, Stdout: stdout, Tty: true, TerminalSizeQueue: &cgOneSize{}})
}

// cgOneSize reports one terminal size, then none.
type cgOneSize struct{ sent bool }

func (s *cgOneSize) Next() *remotecommand.TerminalSize {
	if s.sent {
		return nil
	}
	s.sent = true
	return &remotecommand.TerminalSize{Width: 100, Height: 30}
}

// cgForward forwards a free local port to the pod's port through
// client-go's port-forwarder (SPDY, or the WebSocket tunnel) until the
// test ends, and returns the local port.
func cgForward(t *testing.T, k *cgEngine, pod string, port int, how string) uint16 {
	t.Helper()
	u := k.streamURL(pod, "portforward", nil)
	var d httpstream.Dialer
	if how == "websocket" {
		var err error
		if d, err = portforward.NewSPDYOverWebsocketDialer(u, k.cfg); err != nil {
			t.Fatal(err)
		}
	} else {
		transport, upgrader, err := spdy.RoundTripperFor(k.cfg)
		if err != nil {
			t.Fatal(err)
		}
		d = spdy.NewDialer(upgrader, &http.Client{Transport: transport}, "POST", u)
	}
	stop, ready := make(chan struct{}), make(chan struct{})
	pf, err := portforward.NewOnAddresses(d, []string{"127.0.0.1"}, []string{fmt.Sprintf("0:%d", port)}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pf.ForwardPorts() }()
	t.Cleanup(func() {
		close(stop)
		<-done
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("port-forward: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("port-forward never became ready")
	}
	ports, err := pf.GetPorts()
	if err != nil {
		t.Fatal(err)
	}
	return ports[0].Local
}
