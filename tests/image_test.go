package tests

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
)

// TestImageCLI runs the golden scripts of testdata/image: minish image
// import, load, list, rm and pull, once with the engine inside minish
// (MIN_EMBEDDED=1) and once through the engine daemon. The image store
// belongs to the machine's node, so it needs root; no pod runs (the pods
// the scripts make are unschedulable).
func TestImageCLI(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the image store belongs to the host node, which only root runs")
	}
	bin := minishBin(t)
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	pushTestImage(t, host+"/test/app:v1")
	for _, mode := range []string{"embedded", "daemon"} {
		t.Run(mode, func(t *testing.T) {
			testscript.Run(t, testscript.Params{
				Dir: "testdata/image",
				Setup: func(env *testscript.Env) error {
					home := filepath.Join(env.WorkDir, "home")
					env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
					env.Setenv("MIN_HOME", home)
					env.Setenv("REGISTRY", host)
					if mode == "embedded" {
						env.Setenv("MIN_EMBEDDED", "1")
					} else {
						env.Defer(func() { stopImageDaemon(env.T(), home) })
					}
					return writeArchives(env.WorkDir)
				},
			})
		})
	}
}

// stopImageDaemon stops the engine daemon a script started, if any.
func stopImageDaemon(t testscript.T, home string) {
	if _, err := daemonctl.Stop(home, 30*time.Second); err != nil && !errors.Is(err, daemonctl.ErrNotRunning) {
		t.Log("stopping the engine of", home, ":", err)
	}
}

// fixedImage is an image whose bytes never change (fixed content, times
// and config), so its ID is the same in every run: golden files can show
// it.
func fixedImage(text string, cmd ...string) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tw.WriteHeader(&tar.Header{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime})
	tw.WriteHeader(&tar.Header{Name: "app/msg", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(text)), ModTime: mtime})
	io.WriteString(tw, text)
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Cmd = cmd
	return mutate.ConfigFile(img, cf)
}

// writeArchives writes what the golden scripts load: app.tar (docker
// save of example.com/team/app, tags v1 and latest, and other:1),
// oci.tar (an OCI layout naming luksa/kubia:v2) and, when the script
// has a rootfs folder, rootfs.tar of it.
func writeArchives(dir string) error {
	app, err := fixedImage("app\n", "cat", "/app/msg")
	if err != nil {
		return err
	}
	other, err := fixedImage("other, a longer message to make a bigger file\n")
	if err != nil {
		return err
	}
	refs := map[name.Reference]v1.Image{}
	for ref, img := range map[string]v1.Image{"example.com/team/app:v1": app, "example.com/team/app:latest": app, "other:1": other} {
		tag, err := name.NewTag(ref)
		if err != nil {
			return err
		}
		refs[tag] = img
	}
	if err := tarball.MultiRefWriteToFile(filepath.Join(dir, "app.tar"), refs); err != nil {
		return err
	}
	if err := writeLayoutTar(filepath.Join(dir, "oci.tar"), other, "docker.io/luksa/kubia:v2"); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "rootfs")); err != nil {
		return nil // the script has no root file system to tar
	}
	return tarTree(filepath.Join(dir, "rootfs"), filepath.Join(dir, "rootfs.tar"))
}

// writeLayoutTar writes an OCI layout holding img, named as containerd
// names images, as a tar.
func writeLayoutTar(out string, img v1.Image, ref string) error {
	dir, err := os.MkdirTemp("", "oci-layout")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"io.containerd.image.name": ref})); err != nil {
		return err
	}
	return tarTree(dir, out)
}

// tarTree writes the files and directories under dir into a tar.
func tarTree(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// pushTestImage puts a small image into the test's registry.
func pushTestImage(t *testing.T, ref string) {
	t.Helper()
	img, err := fixedImage("pulled\n", "cat", "/app/msg")
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
}

// sleeper is a pod of one container that sleeps in image img.
func sleeper(name, img string) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "main", Image: img,
			Command: []string{"sleep", "3600"}}}}}
}

// waitPodState waits until the pod satisfies cond and returns it.
func waitPodState(t *testing.T, e cluster.Interface, name string, timeout time.Duration, what string, cond func(*api.Pod) bool) *api.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last *api.Pod
	o, err := cluster.WaitFor(ctx, e, "pods", "default", name, func(o api.Object) bool {
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

func deletePodNow(t *testing.T, e cluster.Interface, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zero := int64(0)
	if _, err := e.Delete(ctx, "pods", "default", name, cluster.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.WaitFor(ctx, e, "pods", "default", name, func(o api.Object) bool { return o == nil }); err != nil {
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
		if _, err := e.BuildImage(ctx, cluster.ImageBuild{Name: "app:v1", From: "busybox",
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
	if _, err := e.Create(ctx, sleeper("app", "app:v1"), cluster.CreateOptions{}); err != nil {
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
	code, err := e.Exec(ctx, "default", "app", cluster.ExecOptions{Command: []string{"cat", "/app/msg"}, Stdout: &out})
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
	if _, err := e.Create(ctx, sleeper("nope", ref), cluster.CreateOptions{}); err != nil {
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
	evs, err := e.List(ctx, "events", cluster.ListOptions{Namespace: "default"})
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
	if _, err := e.BuildImage(ctx, cluster.ImageBuild{Name: ref, From: "busybox"}); err != nil {
		t.Fatal(err)
	}
	waitPodState(t, e, "nope", 40*time.Second, "Running once its image exists", func(p *api.Pod) bool { return p.Status.Phase == "Running" })
}
