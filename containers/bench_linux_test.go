package containers

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkContainerStart measures what `crun run` does for a container
// running /bin/true: create the sandbox, start the container, wait for it to
// exit, remove everything.
func BenchmarkContainerStart(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		uid := fmt.Sprintf("bench-%d", i)
		spec := PodSpec{UID: uid, Name: "bench", RestartPolicy: "Never",
			Containers: []ContainerSpec{{Name: "c", Image: "busybox", Command: []string{"/bin/true"}}}}
		if err := r.RunPod(ctx, spec); err != nil {
			b.Fatal(err)
		}
		if err := r.WaitPod(ctx, uid); err != nil {
			b.Fatal(err)
		}
		if err := r.RemovePod(uid); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPodStartToRunning measures RunPod alone for a long-running
// container: sandbox up and the container started (RunPod returns once the
// container runs). Removal happens outside the timer.
func BenchmarkPodStartToRunning(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		uid := fmt.Sprintf("run-%d", i)
		spec := PodSpec{UID: uid, Name: "bench",
			Containers: []ContainerSpec{sleeper("c")}}
		if err := r.RunPod(ctx, spec); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.RemovePod(uid); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkExec measures an exec of /bin/true in a running container.
func BenchmarkExec(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	if err := r.RunPod(ctx, PodSpec{UID: "exec", Name: "exec", Containers: []ContainerSpec{sleeper("c")}}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.RemovePod("exec") })
	for b.Loop() {
		if code, err := r.Exec(ctx, "exec", "c", []string{"/bin/true"}, nil, nil, nil, false); err != nil || code != 0 {
			b.Fatal(code, err)
		}
	}
}

// BenchmarkShimRSS reports the resident memory of idle shims (and of the
// sleeping containers, for the 100-pod budget), in kB per pod.
func BenchmarkShimRSS(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	const pods = 10
	for i := range pods {
		uid := fmt.Sprintf("rss-%d", i)
		if err := r.RunPod(ctx, PodSpec{UID: uid, Name: "rss", Containers: []ContainerSpec{sleeper("c")}}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.RemovePod(uid) })
	}
	time.Sleep(500 * time.Millisecond) // let start-up garbage be collected
	var shimKB, ctrKB int
	for i := range pods {
		st, err := r.PodStatus(fmt.Sprintf("rss-%d", i))
		if err != nil {
			b.Fatal(err)
		}
		shimKB += rssKB(shimPID(b, r, st.UID))
		ctrKB += rssKB(st.Containers[0].PID)
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(shimKB)/pods, "shim-RSS-kB")
	b.ReportMetric(float64(ctrKB)/pods, "container-RSS-kB")
}

func shimPID(b *testing.B, r *Runtime, uid string) int {
	ns := r.NetNSPath(uid) // /proc/<shim pid>/ns/net
	f := strings.Split(ns, "/")
	if len(f) < 3 {
		b.Fatalf("no shim for %s", uid)
	}
	pid, _ := strconv.Atoi(f[2])
	return pid
}

func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

func benchRuntime(b *testing.B) *Runtime {
	b.Helper()
	if os.Geteuid() != 0 {
		b.Skip("real containers need root")
	}
	if busyboxRoot == "" {
		b.Skip("needs /bin/busybox")
	}
	r, err := New(Options{StateDir: b.TempDir(), Images: images{busyboxRoot},
		CgroupParent: fmt.Sprintf("min-bench-%d-%d", os.Getpid(), podSeq.Add(1))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.cgroup.Child(r.opts.CgroupParent).Remove(5 * time.Second) })
	return r
}
