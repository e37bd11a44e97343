package engine

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/fields"
)

// benchNodes creates n simulated nodes big enough for every pod.
func benchNodes(b testing.TB, e *Engine, n int) {
	for i := range n {
		node := simNode(fmt.Sprintf("node-%04d", i), map[string]string{"zone": fmt.Sprint(i % 2)})
		node.Status.Capacity = api.ResourceList{"cpu": resource.MustParse("64"),
			"memory": resource.MustParse("256Gi"), "pods": resource.MustParse("1000")}
		if _, err := e.Create(context.Background(), node, CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPods is how many pods BenchmarkSchedule and its kin create per
// iteration (issue 5: 100,000); smaller values make quick profiles.
var benchPods = flag.Int("bench.pods", 100000, "pods per iteration of the scheduling benchmarks")

// waitRunning polls until want pods are Running.
func waitRunning(b *testing.B, e *Engine, want int, timeout time.Duration) {
	running, _ := fields.ParseSelector("status.phase=Running")
	deadline := time.Now().Add(timeout)
	for {
		n, err := e.store.Count("pods", store.ListOptions{Fields: running})
		if err != nil {
			b.Fatal(err)
		}
		if n >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d pods running after %v", n, want, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitBound polls until no pod waits for a node and want pods exist.
func waitBound(b *testing.B, e *Engine, want int, timeout time.Duration) {
	unbound, _ := fields.ParseSelector("spec.nodeName=")
	deadline := time.Now().Add(timeout)
	for {
		all, err := e.store.Count("pods", store.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		left, err := e.store.Count("pods", store.ListOptions{Fields: unbound})
		if err != nil {
			b.Fatal(err)
		}
		if all >= want && left == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d pods bound after %v", all-left, want, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSchedule is issue 5's scheduling benchmark: per iteration, a fresh
// engine with 1,000 simulated nodes, then *benchPods pods created without
// a node, by benchClients goroutines, while the scheduler binds them. It reports
// pods/s from the first create to the last binding, the same until every
// pod is Running on its simulated node, and the CPU time per pod (which
// stays meaningful on a shared machine). Events, status writes and the
// simulated kubelet run meanwhile, as in a real cluster.
func benchSchedule(b *testing.B, pod func(i int) *api.Pod) {
	n := *benchPods
	var bound, running, cpu time.Duration
	for range b.N {
		b.StopTimer()
		e, err := Open(b.TempDir(), Options{NoHostNode: true})
		if err != nil {
			b.Fatal(err)
		}
		benchNodes(b, e, 1000)
		waitSchedulerNodes(b, e, 1000)
		runtime.GC()
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		createPods(b, e, n, pod)
		waitBound(b, e, n, 10*time.Minute)
		bound += time.Since(start)
		cpu += cpuTime() - cpu0
		waitRunning(b, e, n, 10*time.Minute)
		running += time.Since(start)
		b.StopTimer()
		e.Close()
	}
	pods := float64(n * b.N)
	b.ReportMetric(pods/bound.Seconds(), "pods/s")
	b.ReportMetric(pods/running.Seconds(), "running-pods/s")
	b.ReportMetric(float64(cpu.Microseconds())/pods, "cpu-us/pod")
}

// benchClients is how many goroutines create the pods. Two (scheduler_perf
// creates through a pool of clients) bind about 5% more pods per second
// here but leave the simulated kubelet further behind: the store's write
// lock is the limit (see README).
const benchClients = 1

// createPods creates pods 0..n-1 from benchClients goroutines.
func createPods(b *testing.B, e *Engine, n int, pod func(i int) *api.Pod) {
	var wg sync.WaitGroup
	for c := range benchClients {
		wg.Go(func() {
			for i := c; i < n; i += benchClients {
				if _, err := e.Create(context.Background(), pod(i), CreateOptions{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

// waitSchedulerNodes waits until the scheduler has every node in its cache.
func waitSchedulerNodes(b *testing.B, e *Engine, n int) {
	deadline := time.Now().Add(time.Minute)
	for e.schedulerNodes() < n {
		if time.Now().After(deadline) {
			b.Fatalf("the scheduler knows %d of %d nodes", e.schedulerNodes(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkSchedule: 1,000 simulated nodes, *benchPods plain pods (issue
// goal: at least 10,000 pods/s).
func BenchmarkSchedule(b *testing.B) {
	benchSchedule(b, func(i int) *api.Pod { return testPod("", fmt.Sprintf("p-%07d", i), nil) })
}

// BenchmarkScheduleSelector: the same with a nodeSelector and cpu and
// memory requests on every pod (issue goal: at least 5,000 pods/s).
func BenchmarkScheduleSelector(b *testing.B) {
	benchSchedule(b, func(i int) *api.Pod {
		p := testPod("", fmt.Sprintf("p-%07d", i), nil)
		p.Spec.NodeSelector = map[string]string{"zone": fmt.Sprint(i % 2)}
		p.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("10m"), "memory": resource.MustParse("16Mi")}
		return p
	})
}

// BenchmarkRCScale10k scales a replication controller from 0 to 10,000
// replicas on 100 simulated nodes and measures until readyReplicas is
// 10,000 (issue goal: under 10 s).
func BenchmarkRCScale10k(b *testing.B) {
	for range b.N {
		b.StopTimer()
		e, err := Open(b.TempDir(), Options{NoHostNode: true})
		if err != nil {
			b.Fatal(err)
		}
		benchNodes(b, e, 100)
		ctx := context.Background()
		e.Create(ctx, rcObject("big", 0), CreateOptions{})
		time.Sleep(200 * time.Millisecond)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		if _, err := e.Patch(ctx, "replicationcontrollers", "", "big", []byte(`{"spec":{"replicas":10000}}`), UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		for {
			o, _ := e.Get(ctx, "replicationcontrollers", "", "big")
			if o.(*api.ReplicationController).Status.ReadyReplicas == 10000 {
				break
			}
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("ready %d after 2m", o.(*api.ReplicationController).Status.ReadyReplicas)
			}
			time.Sleep(20 * time.Millisecond)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-to-ready")
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s-to-ready")
		b.StopTimer()
		e.Close()
	}
}

// BenchmarkClusterMemory binds 100,000 pods on 1,000 simulated nodes and
// reports the process's resident memory (issue goal: under 1 GB): when
// every pod runs (MB-rss-running), its peak during the run (MB-rss-peak,
// which includes the garbage of the bursts), and after a garbage
// collection that returns free memory to the system (MB-rss), with the
// live heap (MB-heap). Run it alone: the peak covers the whole process.
func BenchmarkClusterMemory(b *testing.B) {
	for range b.N {
		e, err := Open(b.TempDir(), Options{NoHostNode: true})
		if err != nil {
			b.Fatal(err)
		}
		benchNodes(b, e, 1000)
		start := time.Now()
		for i := range 100000 {
			p := testPod(fmt.Sprintf("ns-%02d", i%100), fmt.Sprintf("p-%06d", i), map[string]string{"app": fmt.Sprint(i % 1000)})
			if i < 100 {
				e.Create(context.Background(), &api.Namespace{ObjectMeta: api.ObjectMeta{Name: p.Namespace}}, CreateOptions{})
			}
			if _, err := e.Create(context.Background(), p, CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		waitRunning(b, e, 100000, 10*time.Minute)
		b.ReportMetric(time.Since(start).Seconds(), "s-to-running")
		b.ReportMetric(float64(procStatus("VmRSS"))/(1<<20), "MB-rss-running")
		b.ReportMetric(float64(procStatus("VmHWM"))/(1<<20), "MB-rss-peak")
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(procStatus("VmRSS"))/(1<<20), "MB-rss")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
		writeHeapProfile(b)
		e.Close()
	}
}

// heapProfile names a file for the heap profile of the full cluster (the
// test binary's -memprofile is written after the engine has closed).
var heapProfile = flag.String("bench.heapprofile", "", "write the heap profile of BenchmarkClusterMemory's full cluster to this file")

func writeHeapProfile(b *testing.B) {
	if *heapProfile == "" {
		return
	}
	f, err := os.Create(*heapProfile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// procStatus reads a size from /proc/self/status: VmRSS is the resident
// memory now, VmHWM its peak.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
