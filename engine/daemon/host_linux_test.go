package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
)

// hostEngine runs Run in this process with a host node on a bridge,
// cluster CIDR and cgroup parent of the test's own; stop ends that Run
// (pods keep running), and a later call runs a new engine on the same
// state directory. Cleanup deletes the pods and removes the bridge and
// cgroups.
type hostEngine struct {
	t      *testing.T
	home   string
	eopts  engine.Options
	cancel context.CancelFunc
	done   chan error
}

func newHostEngine(t *testing.T) *hostEngine {
	if os.Getenv("MIN_TEST_DAEMON_HOST") != "1" {
		// After a full run of this package as root, a pod shim of this test
		// (a re-exec of daemon.test, parent gone) kept spawning processes
		// that ran this package's tests again. Until that is understood and
		// fixed, the test runs only when asked for (MIN_TEST_DAEMON_HOST=1)
		// and watched.
		t.Skip("disabled: a leftover shim of this test re-ran the test binary in a loop (see the session-1 closing note)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs real containers in namespaces and cgroups")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs /bin/busybox (Debian's busybox-static) for the busybox image")
	}
	h := &hostEngine{t: t, home: testHome(t)}
	h.eopts = engine.Options{
		Network: network.Options{Bridge: fmt.Sprintf("mind%d", os.Getpid()%100000), ClusterCIDR: "10.251.0.0/16",
			StateDir: filepath.Join(t.TempDir(), "net")},
		CgroupParent: fmt.Sprintf("min-dtest-%d", os.Getpid()),
	}
	t.Cleanup(h.cleanup)
	return h
}

func (h *hostEngine) start() *client.Client {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() {
		h.done <- Run(ctx, h.home, Options{Engine: h.eopts, Ready: func() { close(ready) }, Log: io.Discard})
	}()
	select {
	case <-ready:
	case err := <-h.done:
		h.t.Fatal(err)
	}
	c := client.New(SocketPath(h.home), client.Options{})
	h.t.Cleanup(func() { c.Close() })
	return c
}

func (h *hostEngine) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Errorf("run: %v", err)
	}
	h.cancel = nil
}

func (h *hostEngine) cleanup() {
	h.stop()
	e, err := engine.Open(h.home, h.eopts)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		list, _ := e.List(ctx, "pods", engine.ListOptions{})
		zero := int64(0)
		for _, o := range list.Items {
			m := o.GetObjectMeta()
			e.Delete(ctx, "pods", m.Namespace, m.Name, engine.DeleteOptions{GracePeriodSeconds: &zero})
			engine.WaitFor(ctx, e, "pods", m.Namespace, m.Name, func(o api.Object) bool { return o == nil })
		}
		time.Sleep(500 * time.Millisecond) // sandboxes of deleted pods go in the background
		e.Close()
	} else {
		h.t.Errorf("reopening for cleanup: %v", err)
	}
	if m, err := network.New(h.eopts.Network); err == nil {
		m.RemoveBridge()
	}
	if self, err := cgroup.Self(cgroup.Detect()); err == nil {
		self.Child(h.eopts.CgroupParent).Remove(5 * time.Second)
	}
}

func TestRealPodOverSocketSurvivesEngineRestart(t *testing.T) {
	h := newHostEngine(t)
	c := h.start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web"}, Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox",
		Command: []string{"sh", "-c", "echo hello from $(hostname); exec nc -ll -p 7000 -e cat"}}}}}
	one := int64(1)
	p.Spec.TerminationGracePeriodSeconds = &one
	if _, err := c.Create(ctx, p, engine.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := func(o api.Object) bool { return o != nil && o.(*api.Pod).Status.Phase == "Running" }
	if _, err := engine.WaitFor(ctx, c, "pods", "", "web", running); err != nil {
		cur, _ := c.Get(context.Background(), "pods", "", "web")
		t.Fatalf("%v; pod now %+v", err, cur)
	}
	checkPodIO(t, ctx, c)
	images, err := c.ListImages(ctx)
	if err != nil || len(images) == 0 || !strings.HasPrefix(images[0].ID, "sha256:") {
		t.Fatalf("images over the socket: %+v %v", images, err)
	}
	before, _ := c.Get(ctx, "pods", "", "web")
	h.stop() // SIGTERM's path: the engine goes, the pod stays
	c = h.start()
	after, err := engine.WaitFor(ctx, c, "pods", "", "web", running)
	if err != nil {
		t.Fatal(err)
	}
	if after.GetObjectMeta().UID != before.GetObjectMeta().UID ||
		after.(*api.Pod).Status.ContainerStatuses[0].RestartCount != before.(*api.Pod).Status.ContainerStatuses[0].RestartCount {
		t.Fatalf("the pod was not re-adopted as it ran: %+v", after.(*api.Pod).Status)
	}
	checkPodIO(t, ctx, c)
}

// checkPodIO runs exec (stdin to EOF, exit code), logs and port-forward on
// the pod "web" through the client.
func checkPodIO(t *testing.T, ctx context.Context, c *client.Client) {
	t.Helper()
	var out, errb bytes.Buffer
	code, err := c.Exec(ctx, "default", "web", engine.ExecOptions{Command: []string{"sh", "-c", "cat; echo err >&2; exit 3"},
		Stdin: strings.NewReader("from stdin\n"), Stdout: &out, Stderr: &errb})
	if err != nil || code != 3 || out.String() != "from stdin\n" || errb.String() != "err\n" {
		t.Fatalf("exec: %d %v %q %q", code, err, out.String(), errb.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var logs bytes.Buffer
		err := c.Logs(ctx, "default", "web", engine.LogOptions{}, &logs)
		if err == nil && logs.String() == "hello from web\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("logs %q %v", logs.String(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var conn io.ReadWriteCloser
	for { // nc may not listen yet
		conn, err = c.DialPod(ctx, "default", "web", 7000)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("port-forward: %v", err)
	}
	defer conn.Close()
	io.WriteString(conn, "ping\n")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping\n" {
		t.Fatalf("echo through port-forward: %q %v", buf, err)
	}
}
