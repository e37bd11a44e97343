package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/api/resource"
)

// benchNodes creates n simulated nodes big enough for every pod.
func benchNodes(b *testing.B, e *Engine, n int) {
	for i := range n {
		node := simNode(fmt.Sprintf("node-%04d", i), map[string]string{"zone": fmt.Sprint(i % 2)})
		node.Status.Capacity = api.ResourceList{"cpu": resource.MustParse("64"),
			"memory": resource.MustParse("256Gi"), "pods": resource.MustParse("1000")}
		if _, err := e.Create(context.Background(), node, CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// waitBound polls until want pods are bound and running.
func waitRunning(b *testing.B, e *Engine, want int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		list, err := e.List(context.Background(), "pods", ListOptions{FieldSelector: "status.phase=Running"})
		if err != nil {
			b.Fatal(err)
		}
		if len(list.Items) >= want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d pods running after %v", len(list.Items), want, timeout)
		}
		time.Sleep(time.Second) // a list of 100,000 pods is not free: poll gently
	}
}

// BenchmarkEngineSchedule creates b.N pods on 1,000 simulated nodes and
// measures until every one is bound and Running: store writes, the
// scheduler, binding, events and the simulated kubelet together.
func BenchmarkEngineSchedule(b *testing.B) {
	e, err := Open(b.TempDir(), Options{NoHostNode: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	benchNodes(b, e, 1000)
	time.Sleep(200 * time.Millisecond) // let the scheduler see the nodes
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		p := testPod("", fmt.Sprintf("p-%07d", i), nil)
		p.Spec.NodeSelector = map[string]string{"zone": fmt.Sprint(i % 2)}
		p.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("10m"), "memory": resource.MustParse("16Mi")}
		if _, err := e.Create(context.Background(), p, CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	waitRunning(b, e, b.N, 5*time.Minute)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pods/s")
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
		start := time.Now()
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
		b.StopTimer()
		e.Close()
	}
}

// BenchmarkClusterMemory binds 100,000 pods on 1,000 simulated nodes and
// reports the process's resident memory (issue goal: under 1 GB).
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
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(rssBytes())/(1<<20), "MB-rss")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap")
		e.Close()
	}
}

func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
