package containers

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkContainerStart measures what `crun run` does for a container
// running /bin/true: create the sandbox, start the container, wait for it to
// exit, remove everything.
func BenchmarkContainerStart(b *testing.B) { benchContainerStart(b, "") }

// BenchmarkContainerStartUnconfined is BenchmarkContainerStart without the
// seccomp filter: the difference is the filter's start-time cost.
func BenchmarkContainerStartUnconfined(b *testing.B) { benchContainerStart(b, "Unconfined") }

func benchContainerStart(b *testing.B, seccomp string) {
	r := benchRuntime(b)
	ctx := context.Background()
	var times []time.Duration
	defer func() { reportMedian(b, times) }()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(len(times)), "cpu-ms/op") }()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		uid := fmt.Sprintf("bench-%d", i)
		spec := PodSpec{UID: uid, Name: "bench", RestartPolicy: "Never",
			Containers: []ContainerSpec{{Name: "c", Image: "busybox", Command: []string{"/bin/true"}, SeccompProfile: seccomp}}}
		if err := r.RunPod(ctx, spec); err != nil {
			b.Fatal(err)
		}
		if err := r.WaitPod(ctx, uid); err != nil {
			b.Fatal(err)
		}
		if err := r.RemovePod(uid); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
}

// cpuTime is the user and system time of this process and of its reaped
// children (the shims, which include their containers'), the cost that a
// loaded machine does not inflate the way it inflates wall time.
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

// reportMedian adds the median of the per-iteration times, in ms.
func reportMedian(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
}

// BenchmarkPodStartToRunning measures RunPod alone for a long-running
// container: sandbox up and the container started (RunPod returns once the
// container runs). Removal happens outside the timer.
func BenchmarkPodStartToRunning(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	var times []time.Duration
	defer func() { reportMedian(b, times) }()
	for i := 0; i < b.N; i++ {
		uid := fmt.Sprintf("run-%d", i)
		spec := PodSpec{UID: uid, Name: "bench",
			Containers: []ContainerSpec{sleeper("c")}}
		t0 := time.Now()
		if err := r.RunPod(ctx, spec); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		b.StopTimer()
		if err := r.RemovePod(uid); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkPodStartToRunningNetwork is BenchmarkPodStartToRunning with the
// pod network: the runtime's share of a pod start through the engine (the
// rest is the engine's: scheduling, the node agent, status writes).
func BenchmarkPodStartToRunningNetwork(b *testing.B) { benchPodStartNetwork(b, false) }

// BenchmarkPodStartToRunningNetworkSpare is BenchmarkPodStartToRunningNetwork
// with Options.SpareShim, as the engine's node agents run: each pod gets a
// shim started ahead (the next one starts after the start, unmeasured
// unless the next start has to wait for it).
func BenchmarkPodStartToRunningNetworkSpare(b *testing.B) { benchPodStartNetwork(b, true) }

func benchPodStartNetwork(b *testing.B, spare bool) {
	node, _ := podNetwork(b)
	r := benchRuntime(b)
	r.opts.Network = node
	if spare {
		r.opts.SpareShim = true
		b.Cleanup(func() { r.Close() })
	}
	ctx := context.Background()
	var times []time.Duration
	defer func() { reportMedian(b, times) }()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(len(times)), "cpu-ms/op") }()
	for i := 0; b.Loop(); i++ {
		uid := fmt.Sprintf("net-%d", i)
		t0 := time.Now()
		if err := r.RunPod(ctx, PodSpec{UID: uid, Name: "bench", Containers: []ContainerSpec{sleeper("c")}}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
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
	var times []time.Duration
	defer func() { reportMedian(b, times) }()
	for b.Loop() {
		t0 := time.Now()
		if code, err := r.Exec(ctx, "exec", "c", []string{"/bin/true"}, nil, nil, nil, false); err != nil || code != 0 {
			b.Fatal(code, err)
		}
		times = append(times, time.Since(t0))
	}
}

// BenchmarkShimRSS reports the resident memory of idle shims (and of the
// sleeping containers), in kB per pod, and the total of shims and containers
// in MB (PSS, which counts shared pages once). MIN_BENCH_PODS sets the
// number of pods (10).
func BenchmarkShimRSS(b *testing.B) {
	r := benchRuntime(b)
	ctx := context.Background()
	pods := 10
	if n, err := strconv.Atoi(os.Getenv("MIN_BENCH_PODS")); err == nil && n > 0 {
		pods = n
	}
	for i := range pods {
		uid := fmt.Sprintf("rss-%d", i)
		if err := r.RunPod(ctx, PodSpec{UID: uid, Name: "rss", Containers: []ContainerSpec{sleeper("c")}}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.RemovePod(uid) })
	}
	time.Sleep(500 * time.Millisecond) // let start-up garbage be collected
	var shimKB, shimPSS, shimPrivate, ctrKB, totalPSS int
	for i := range pods {
		st, err := r.PodStatus(fmt.Sprintf("rss-%d", i))
		if err != nil {
			b.Fatal(err)
		}
		pid := shimPID(b, r, st.UID)
		shimKB += memKB(pid, "status", "VmRSS")
		shimPSS += memKB(pid, "smaps_rollup", "Pss")
		shimPrivate += memKB(pid, "smaps_rollup", "Private_Dirty") + memKB(pid, "smaps_rollup", "Private_Clean")
		ctrKB += memKB(st.Containers[0].PID, "status", "VmRSS")
		totalPSS += memKB(pid, "smaps_rollup", "Pss") + memKB(st.Containers[0].PID, "smaps_rollup", "Pss")
	}
	for b.Loop() {
	}
	// RSS counts the binary's pages, which every shim shares; PSS splits
	// them between sharers; private pages are each shim's own.
	b.ReportMetric(float64(shimKB)/float64(pods), "shim-RSS-kB")
	b.ReportMetric(float64(shimPSS)/float64(pods), "shim-PSS-kB")
	b.ReportMetric(float64(shimPrivate)/float64(pods), "shim-private-kB")
	b.ReportMetric(float64(ctrKB)/float64(pods), "container-RSS-kB")
	b.ReportMetric(float64(totalPSS)/1024, fmt.Sprintf("total-PSS-MB/%dpods", pods))
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

// memKB reads one "Key: N kB" line of /proc/<pid>/<file>.
func memKB(pid int, file, key string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
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
	// MIN_BENCH_SHIM measures another binary as the shim (minish, say).
	r, err := New(Options{StateDir: b.TempDir(), Images: images{busyboxRoot}, ShimBinary: os.Getenv("MIN_BENCH_SHIM"),
		CgroupParent: fmt.Sprintf("min-bench-%d-%d", os.Getpid(), podSeq.Add(1))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.parentGroup(r.opts.CgroupParent).Remove(5 * time.Second) })
	return r
}
