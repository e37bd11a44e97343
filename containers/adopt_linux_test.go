package containers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/containers/shim"
)

// runHelper is the main of a child test process that starts a pod and then
// waits to be killed: the engine that dies while its pods run.
func runHelper(role string) {
	switch role {
	case "runpod":
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", role)
		os.Exit(2)
	}
	r, err := New(Options{StateDir: os.Getenv("MIN_TEST_STATE"), CgroupParent: os.Getenv("MIN_TEST_CGROUP"),
		Images: images{os.Getenv("MIN_TEST_LAYER")}})
	if err == nil {
		err = r.RunPod(context.Background(), PodSpec{UID: "adopt", Namespace: "default", Name: "adopt",
			Containers: []ContainerSpec{{Name: "c", Image: "busybox",
				Command: []string{"sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.02; done"}}}})
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}

func TestShimSurvivesItsParent(t *testing.T) {
	r := newRuntime(t, Options{})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^$")
	child.Env = append(os.Environ(), "MIN_TEST_HELPER=runpod", "MIN_TEST_STATE="+r.opts.StateDir,
		"MIN_TEST_CGROUP="+r.opts.CgroupParent, "MIN_TEST_LAYER="+busyboxRoot)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("helper: %q", line)
	}
	// The engine dies hard.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	t.Cleanup(func() { r.RemovePod("adopt") })

	// A new runtime over the same state finds the pod, running.
	r2, err := New(r.opts)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := r2.ListPods()
	if err != nil || len(pods) != 1 || pods[0] != "adopt" {
		t.Fatalf("ListPods = %v, %v; want [adopt]", pods, err)
	}
	st, err := r2.PodStatus("adopt")
	if err != nil || !st.ShimAlive || st.Containers[0].State.Running == nil {
		t.Fatalf("status after the engine died: %+v, %v", st, err)
	}
	// It keeps logging without its parent.
	before := countLines(t, r2)
	for deadline := time.Now().Add(10 * time.Second); countLines(t, r2) <= before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log did not grow after the engine died: still %d lines", before)
		}
	}
	if out, _, code := execIn(t, r2, "adopt", "c", "hostname"); out != "adopt\n" || code != 0 {
		t.Errorf("exec after re-adoption: %q %d", out, code)
	}
	if err := r2.StopPod("adopt", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r2.RemovePod("adopt"); err != nil {
		t.Fatal(err)
	}
	if pods, _ := r2.ListPods(); len(pods) != 0 {
		t.Errorf("ListPods after remove = %v", pods)
	}
}

func countLines(t *testing.T, r *Runtime) int {
	t.Helper()
	var b strings.Builder
	if err := r.ReadLogs(context.Background(), "adopt", "c", LogOptions{}, &b); err != nil {
		t.Fatal(err)
	}
	return strings.Count(b.String(), "\n")
}

// TestShimKilled checks what a dead shim leaves: its containers are
// reported lost, and stop and remove still clean up.
func TestShimKilled(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "orphan", Name: "orphan", Containers: []ContainerSpec{sleeper("c")}})
	st, _ := r.PodStatus("orphan")
	var shimPID int
	fmt.Sscanf(r.NetNSPath("orphan"), "/proc/%d/", &shimPID)
	if shimPID == 0 || st.Containers[0].PID == 0 {
		t.Fatalf("no shim or container pid: %+v", st)
	}
	if err := syscallKill(shimPID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, "orphan", "the shim's death", func(st PodState) bool { return !st.ShimAlive })
	if pods, _ := r.ListPods(); len(pods) != 0 {
		t.Errorf("ListPods with a dead shim = %v", pods)
	}
	// The container outlived its shim: stop kills it through its cgroup.
	if err := r.StopPod("orphan", 0); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, r, "orphan", "the container's death", func(st PodState) bool { return st.Containers[0].State.Terminated != nil })
	if term := st.Containers[0].State.Terminated; term.Reason != "ContainerStatusUnknown" {
		t.Errorf("lost container: %+v", term)
	}
}

func syscallKill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

func shimStartTime(pid int) (uint64, error) { return shim.StartTime(pid) }

// TestSharedPidNamespaceDiesWithItsShim: the pause process holding a shared
// pid namespace goes with its shim, and the pod's processes with it.
func TestSharedPidNamespaceDiesWithItsShim(t *testing.T) {
	r := newRuntime(t, Options{})
	runPod(t, r, PodSpec{UID: "shared-orphan", Name: "so", ShareProcessNamespace: true,
		Containers: []ContainerSpec{sleeper("c")}})
	st, _ := r.PodStatus("shared-orphan")
	ctr := st.Containers[0].PID
	var shimPID int
	fmt.Sscanf(r.NetNSPath("shared-orphan"), "/proc/%d/", &shimPID)
	if err := syscallKill(shimPID); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); shimAliveOrContainer(ctr, st.Containers[0].PIDStart); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the container of a shared pid namespace outlived its shim")
		}
	}
}

func shimAliveOrContainer(pid int, start uint64) bool {
	t, err := shimStartTime(pid)
	return err == nil && t == start
}

// TestShimEndsWhenItsDirectoryGoes: a state directory deleted without
// RemovePod does not leave a shim and its containers running forever.
func TestShimEndsWhenItsDirectoryGoes(t *testing.T) {
	r := newRuntime(t, Options{})
	if err := r.RunPod(context.Background(), PodSpec{UID: "gone", Name: "gone", Containers: []ContainerSpec{sleeper("c")}}); err != nil {
		t.Fatal(err)
	}
	st, _ := r.PodStatus("gone")
	var shimPID int
	fmt.Sscanf(r.NetNSPath("gone"), "/proc/%d/", &shimPID)
	shimStart, _ := shimStartTime(shimPID)
	if err := os.RemoveAll(r.podDir("gone")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); shimAliveOrContainer(shimPID, shimStart) ||
		shimAliveOrContainer(st.Containers[0].PID, st.Containers[0].PIDStart); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("shim or container still running after the pod directory was deleted")
		}
	}
}

// TestShimNeverRecreatesItsDirectory: a shim restarting a crashing container
// while its state directory is deleted (a test's temporary home removed
// under a leftover pod) must end, and must not create the directory again
// for the next instance's layer and log.
func TestShimNeverRecreatesItsDirectory(t *testing.T) {
	r := newRuntime(t, Options{BackoffInitial: time.Millisecond, BackoffMax: time.Millisecond})
	crash := ContainerSpec{Name: "c", Image: "busybox", Command: []string{"sh", "-c", "exit 1"}}
	if err := r.RunPod(context.Background(), PodSpec{UID: "crash", Name: "crash", Containers: []ContainerSpec{crash}}); err != nil {
		t.Fatal(err)
	}
	st, err := shim.ReadState(r.podDir("crash"))
	if err != nil {
		t.Fatal(err)
	}
	// The shim writes in the directory while RemoveAll empties it: retry
	// until the directory itself is gone.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(time.Millisecond) {
		err := os.RemoveAll(r.podDir("crash"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(15 * time.Second); shimAliveOrContainer(st.PID, st.StartTime); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("shim still running after its pod directory was deleted")
		}
	}
	if _, err := os.Stat(r.podDir("crash")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the pod directory came back: %v", err)
	}
}
