package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/containers/shim"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
)

// Test CIDRs: each package that runs real pods has a range of its own,
// so that `go test ./...` may run the packages at once: containers/network
// 10.250.x.0/24, containers 10.251.x.0/24, engine 10.252.0.0/16,
// engine/daemon 10.248.0.0/16, tests 10.249.0.0/16 (and 10.160-191 for
// client-go's).
//
// hostEngine runs Run in this process with a host node on a bridge,
// cluster CIDR and cgroup parent of the test's own; stop ends that Run
// (pods keep running), and a later call runs a new engine on the same
// state directory. Cleanup deletes the pods and removes the bridge and
// cgroups.
type hostEngine struct {
	t      testing.TB
	home   string
	eopts  engine.Options
	cancel context.CancelFunc
	done   chan error
}

func newHostEngine(t testing.TB) *hostEngine {
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs real containers in namespaces and cgroups")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs /bin/busybox (Debian's busybox-static) for the busybox image")
	}
	h := &hostEngine{t: t, home: testHome(t)}
	h.eopts = engine.Options{
		Network: network.Options{Bridge: fmt.Sprintf("mind%d", os.Getpid()%100000), ClusterCIDR: "10.248.0.0/16",
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

// cleanup deletes the pods through a reopened engine, then makes sure
// nothing of the test is left whatever happened before: shims still alive
// (killed by the pids their state records, checked against their start
// times), processes in the test's cgroups, veths on its bridge, the bridge
// and the cgroups. A leftover is an error: the next test run would trip on
// it (or, with a shim left, a pod would keep running from a deleted home).
func (h *hostEngine) cleanup() {
	h.stop()
	h.deletePods()
	for _, pid := range killShims(filepath.Join(h.home, "containers", "pods")) {
		h.t.Errorf("shim %d was still running after its pod was deleted", pid)
	}
	if self, err := cgroup.Self(cgroup.Detect()); err == nil {
		parent := self.Child(h.eopts.CgroupParent)
		if procs, _ := parent.Procs(); len(procs) > 0 {
			h.t.Errorf("processes left in the test's cgroups: %v", procs)
		}
		if err := parent.Remove(5 * time.Second); err != nil { // kills what is left
			h.t.Error(err)
		}
	}
	// A pod's veth goes with its network namespace, once its last process
	// has exited.
	bridge := h.eopts.Network.Bridge
	veths := linksOn(bridge)
	for deadline := time.Now().Add(5 * time.Second); len(veths) > 0 && time.Now().Before(deadline); veths = linksOn(bridge) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(veths) > 0 {
		h.t.Errorf("veths left on %s: %v", bridge, veths)
	}
	if m, err := network.New(h.eopts.Network); err == nil {
		if err := m.RemoveBridge(); err != nil {
			h.t.Error(err)
		}
	}
}

// deletePods deletes every pod through an engine reopened on the home and
// waits until each is gone and its sandbox removed.
func (h *hostEngine) deletePods() {
	e, err := engine.Open(h.home, h.eopts)
	if err != nil {
		h.t.Errorf("reopening for cleanup: %v", err)
		return
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, _ := e.List(ctx, "pods", cluster.ListOptions{})
	zero := int64(0)
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		e.Delete(ctx, "pods", m.Namespace, m.Name, cluster.DeleteOptions{GracePeriodSeconds: &zero})
		cluster.WaitFor(ctx, e, "pods", m.Namespace, m.Name, func(o api.Object) bool { return o == nil })
	}
	// Sandboxes of deleted pods are removed in the background: wait until
	// the runtime's state has no pod left.
	pods := filepath.Join(h.home, "containers", "pods")
	for {
		entries, _ := os.ReadDir(pods)
		if len(entries) == 0 {
			return
		}
		if ctx.Err() != nil {
			h.t.Errorf("pod sandboxes not removed: %d left in %s", len(entries), pods)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killShims kills (SIGKILL) the shims still alive among the pods recorded
// in dir, waits until they are gone and returns their pids. Only processes
// this test started qualify: a pid counts when its start time matches the
// one its shim recorded.
func killShims(dir string) []int {
	entries, _ := os.ReadDir(dir)
	var killed []int
	for _, e := range entries {
		st, err := shim.ReadState(filepath.Join(dir, e.Name()))
		if err != nil || !shim.Alive(st.PID, st.StartTime) {
			continue
		}
		syscall.Kill(st.PID, syscall.SIGKILL)
		killed = append(killed, st.PID)
		for deadline := time.Now().Add(5 * time.Second); shim.Alive(st.PID, st.StartTime) && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return killed
}

// linksOn lists the interfaces whose master is bridge.
func linksOn(bridge string) []string {
	links, _ := filepath.Glob("/sys/class/net/*/master")
	var out []string
	for _, l := range links {
		if target, err := os.Readlink(l); err == nil && filepath.Base(target) == bridge {
			out = append(out, filepath.Base(filepath.Dir(l)))
		}
	}
	return out
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
	if _, err := c.Create(ctx, p, cluster.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := func(o api.Object) bool { return o != nil && o.(*api.Pod).Status.Phase == "Running" }
	if _, err := cluster.WaitFor(ctx, c, "pods", "", "web", running); err != nil {
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
	after, err := cluster.WaitFor(ctx, c, "pods", "", "web", running)
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
	code, err := c.Exec(ctx, "default", "web", cluster.ExecOptions{Command: []string{"sh", "-c", "cat; echo err >&2; exit 3"},
		Stdin: strings.NewReader("from stdin\n"), Stdout: &out, Stderr: &errb})
	if err != nil || code != 3 || out.String() != "from stdin\n" || errb.String() != "err\n" {
		t.Fatalf("exec: %d %v %q %q", code, err, out.String(), errb.String())
	}
	// A terminal takes the client's size (applied once the terminal
	// exists, so the command asks until it sees it).
	sizes := make(chan cluster.TerminalSize, 1)
	sizes <- cluster.TerminalSize{Width: 101, Height: 33}
	out.Reset()
	code, err = c.Exec(ctx, "default", "web", cluster.ExecOptions{TTY: true, Stdout: &out, Resize: sizes,
		Command: []string{"sh", "-c", `for i in $(seq 50); do s=$(stty size 2>/dev/null); [ "$s" = "33 101" ] && break; sleep 0.1; done; echo "size: $s"`}})
	if err != nil || code != 0 || !strings.Contains(out.String(), "size: 33 101\r\n") {
		t.Fatalf("exec with a terminal of 101x33: %d %v %q", code, err, out.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var logs bytes.Buffer
		err := c.Logs(ctx, "default", "web", cluster.LogOptions{}, &logs)
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

// BenchmarkPodStartToRunning is Min's pod start as a user sees it: a client
// creates a pod with one busybox container over the engine's socket and
// waits (watching) until its phase is Running, with the pod network (veth,
// IP on the node's bridge) wired. Deleting it happens outside the timer.
// Reports the median and the CPU per pod of the engine, the shims and the
// containers (RUSAGE_CHILDREN counts each shim once it has exited).
func BenchmarkPodStartToRunning(b *testing.B) {
	h := newHostEngine(b)
	c := h.start()
	ctx := context.Background()
	zero := int64(0)
	running := func(o api.Object) bool { return o != nil && o.(*api.Pod).Status.Phase == "Running" }
	var times []time.Duration
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("bench-%d", i)
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name}, Spec: api.PodSpec{TerminationGracePeriodSeconds: &zero,
			Containers: []api.Container{{Name: "c", Image: "busybox", Command: []string{"sleep", "1000"}}}}}
		t0 := time.Now()
		if _, err := c.Create(ctx, p, cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		got, err := cluster.WaitFor(ctx, c, "pods", "", name, running)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		b.StopTimer()
		if ip := got.(*api.Pod).Status.PodIP; ip == "" {
			b.Fatalf("running without a pod IP: %+v", got.(*api.Pod).Status)
		}
		if _, err := c.Delete(ctx, "pods", "default", name, cluster.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
			b.Fatal(err)
		}
		if _, err := cluster.WaitFor(ctx, c, "pods", "", name, func(o api.Object) bool { return o == nil }); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	h.stop() // the shims of deleted pods have exited: their CPU is counted
	b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(len(times)), "cpu-ms/op")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
}

// cpuTime is the user and system time of this process and of its reaped
// children.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var total time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		total += time.Duration(tv.Nano())
	}
	return total
}
