package tests

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
)

// sleeper is a pod of one container that sleeps in image img.
func sleeper(name, img string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "main", Image: img,
			Command: []string{"sleep", "3600"}}}}}
}

// waitPodState waits until the pod satisfies cond and returns it.
func waitPodState(t *testing.T, e engine.Interface, name string, timeout time.Duration, what string, cond func(*api.Pod) bool) *api.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last *api.Pod
	o, err := engine.WaitFor(ctx, e, "pods", "default", name, func(o api.Object) bool {
		if o == nil {
			return false
		}
		last = o.(*api.Pod)
		return cond(last)
	})
	if err != nil {
		t.Fatalf("pod %s never %s: %v; last seen: %+v", name, what, err, last)
	}
	return o.(*api.Pod)
}

func deletePodNow(t *testing.T, e engine.Interface, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zero := int64(0)
	if _, err := e.Delete(ctx, "pods", "default", name, engine.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.WaitFor(ctx, e, "pods", "default", name, func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
}

func writeMsg(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImageInUse: an image a running pod uses cannot be removed; when its
// name moves to a newer image, the pod keeps the layers it started with
// (GC leaves them, they are pinned) and keeps working; once the pod is
// deleted, the old layer goes.
func TestImageInUse(t *testing.T) {
	e := hostEngine(t)
	ctx := context.Background()
	build := func(text string) string {
		t.Helper()
		if _, err := e.BuildImage(ctx, engine.ImageBuild{Name: "app:v1", From: "busybox",
			Files: map[string]string{"/app/msg": writeMsg(t, text)}}); err != nil {
			t.Fatal(err)
		}
		layers, _, err := e.Images().Resolve("app:v1")
		if err != nil {
			t.Fatal(err)
		}
		return layers[len(layers)-1] // the layer of /app/msg
	}
	oldLayer := build("one")
	if _, err := e.Create(ctx, sleeper("app", "app:v1"), engine.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPodState(t, e, "app", 60*time.Second, "Running", func(p *api.Pod) bool { return p.Status.Phase == "Running" })

	err := e.RemoveImage(ctx, "app:v1")
	if !errors.Is(err, api.ErrConflict) || err.Error() != `image "app:v1" is in use by pod default/app: delete the pod first` {
		t.Fatalf("RemoveImage of a running pod's image = %v, want a Conflict naming the pod", err)
	}

	newLayer := build("two") // the name moves; the old image has no name left
	if err := e.Images().GC(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(oldLayer); err != nil {
		t.Fatalf("GC removed the layer a running container uses: %v", err)
	}
	var out bytes.Buffer
	code, err := e.Exec(ctx, "default", "app", engine.ExecOptions{Command: []string{"cat", "/app/msg"}, Stdout: &out})
	if err != nil || code != 0 || out.String() != "one" {
		t.Fatalf("exec cat /app/msg = %q, %d, %v; want the image it started with", out.String(), code, err)
	}

	deletePodNow(t, e, "app")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(oldLayer); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old layer is still there 20 s after its pod was deleted")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(newLayer); err != nil {
		t.Fatalf("the current image's layer went: %v", err)
	}
	if err := e.RemoveImage(ctx, "app:v1"); err != nil {
		t.Fatalf("RemoveImage once no pod uses it: %v", err)
	}
}

// TestMissingImagePullBackOff: a pod whose image is missing shows
// ErrImagePull, then ImagePullBackOff, with kubelet's events; once the
// image exists, the next retry starts it.
func TestMissingImagePullBackOff(t *testing.T) {
	e := hostEngine(t)
	ctx := context.Background()
	const ref = "example.invalid/missing:1"
	if _, err := e.Create(ctx, sleeper("nope", ref), engine.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waiting := func(reason string) func(*api.Pod) bool {
		return func(p *api.Pod) bool {
			cs := p.Status.ContainerStatuses
			return p.Status.Phase == "Pending" && len(cs) == 1 && cs[0].State.Waiting != nil &&
				cs[0].State.Waiting.Reason == reason && !cs[0].Ready
		}
	}
	p := waitPodState(t, e, "nope", 20*time.Second, "ErrImagePull", waiting("ErrImagePull"))
	if msg := p.Status.ContainerStatuses[0].State.Waiting.Message; !strings.Contains(msg, ref) {
		t.Errorf("ErrImagePull message %q does not name the image", msg)
	}
	// the first retry comes after kubelet's initial back-off, 10 s
	p = waitPodState(t, e, "nope", 30*time.Second, "ImagePullBackOff", waiting("ImagePullBackOff"))
	if msg := p.Status.ContainerStatuses[0].State.Waiting.Message; msg != `Back-off pulling image "`+ref+`"` {
		t.Errorf("ImagePullBackOff message %q", msg)
	}
	evs, err := e.List(ctx, "events", engine.ListOptions{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, o := range evs.Items {
		if ev := o.(*api.Event); ev.InvolvedObject.Name == "nope" {
			texts = append(texts, ev.Reason+": "+ev.Message)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{`Failed to pull image "` + ref + `"`, `Back-off pulling image "` + ref + `"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no event %q among:\n%s", want, all)
		}
	}
	// the image appears: the next attempt (20 s after the second) runs it
	if _, err := e.BuildImage(ctx, engine.ImageBuild{Name: ref, From: "busybox"}); err != nil {
		t.Fatal(err)
	}
	waitPodState(t, e, "nope", 40*time.Second, "Running once its image exists", func(p *api.Pod) bool { return p.Status.Phase == "Running" })
}
