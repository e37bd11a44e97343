package sched

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

const (
	benchNodes = 1000
	benchPods  = 100000
)

// benchCluster returns a scheduler with 1,000 simulated nodes (64 cpu,
// 256Gi, 110 pods); every other node is labelled disk=ssd.
func benchCluster(opts Options) *Scheduler {
	s := New(opts)
	for i := range benchNodes {
		opts := []nodeOpt{withLabels("zone", fmt.Sprint("z", i%3))}
		if i%2 == 0 {
			opts = append(opts, withLabels("disk", "ssd"))
		}
		s.AddNode(mkNode(fmt.Sprintf("node-%04d", i), "64", "256Gi", 220, opts...))
	}
	return s
}

// benchPodList returns n pods built from one template, only names differ.
func benchPodList(n int, opts ...podOpt) []*api.Pod {
	tmpl := mkPod("tmpl", opts...)
	pods := make([]*api.Pod, n)
	for i := range pods {
		p := *tmpl
		p.Name = fmt.Sprintf("pod-%06d", i)
		p.UID = p.Name
		pods[i] = &p
	}
	return pods
}

// runBench schedules and assumes 100,000 pods on a fresh 1,000-node
// scheduler per iteration and reports pods/s and µs/pod, once with
// kube-scheduler's adaptive sampling (42% of 1,000 nodes) and once scoring
// every feasible node.
func runBench(b *testing.B, pods []*api.Pod) {
	b.Run("adaptive", func(b *testing.B) { runPods(b, Options{}, pods) })
	b.Run("all-nodes", func(b *testing.B) { runPods(b, Options{PercentageOfNodesToScore: 100}, pods) })
}

func runPods(b *testing.B, opts Options, pods []*api.Pod) {
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		s := benchCluster(opts)
		b.StartTimer()
		start := cpuTime()
		for _, p := range pods {
			if _, err := s.ScheduleAndAssume(p); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - start
	}
	perPod := b.Elapsed().Seconds() / float64(b.N*len(pods))
	b.ReportMetric(1/perPod, "pods/s")
	b.ReportMetric(perPod*1e6, "µs/pod")
	// CPU time tells the cost apart from the machine's load: on a busy
	// host the wall clock above includes time spent waiting for a core.
	b.ReportMetric(cpu.Seconds()*1e6/float64(b.N*len(pods)), "cpu-µs/pod")
}

// BenchmarkSchedule: pods without constraints (kube-scheduler_perf's
// SchedulingBasic shape).
func BenchmarkSchedule(b *testing.B) {
	runBench(b, benchPodList(benchPods))
}

// BenchmarkScheduleSelector: a nodeSelector matching half the nodes and cpu
// and memory requests on every pod.
func BenchmarkScheduleSelector(b *testing.B) {
	runBench(b, benchPodList(benchPods, selector("disk", "ssd"), requests("cpu", "100m", "memory", "128Mi")))
}

// BenchmarkMemory reports the heap the scheduler keeps for 1,000 nodes and
// 100,000 assumed pods (the pods themselves are garbage afterwards).
func BenchmarkMemory(b *testing.B) {
	for range b.N {
		before := heap()
		s := benchCluster(Options{})
		for i := range benchPods {
			p := mkPod(fmt.Sprintf("pod-%06d", i), requests("cpu", "100m", "memory", "128Mi"))
			if _, err := s.ScheduleAndAssume(p); err != nil {
				b.Fatal(err)
			}
		}
		after := heap()
		runtime.KeepAlive(s)
		b.ReportMetric(float64(after-before)/(1<<20), "MB")
	}
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkScheduleAffinity: required node affinity (disk In [ssd], zone
// NotIn [z9]) instead of a nodeSelector, with requests.
func BenchmarkScheduleAffinity(b *testing.B) {
	runBench(b, benchPodList(benchPods, requests("cpu", "100m", "memory", "128Mi"),
		affinity([]api.NodeSelectorRequirement{expr("disk", "In", "ssd"), expr("zone", "NotIn", "z9")})))
}

// BenchmarkUnschedulable: the failure path, a pod that fits none of 1,000
// nodes (half miss the selector, half lack cpu), message included.
func BenchmarkUnschedulable(b *testing.B) {
	s := benchCluster(Options{})
	pod := mkPod("big", selector("disk", "ssd"), requests("cpu", "100"))
	b.ReportAllocs()
	for b.Loop() {
		_, err := s.Schedule(pod)
		if err == nil {
			b.Fatal("scheduled")
		}
		_ = err.Error()
	}
}
