package bindings

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

// benchState is a State on a real engine in b.TempDir().
func benchState(b *testing.B) (*State, *engine.Engine) {
	b.Helper()
	eng := enginetest.InProcess(b)
	s, err := New(Options{Engine: func(context.Context) (cluster.Interface, error) { return eng, nil }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, eng
}

// BenchmarkCreatePods is a Lua loop creating b.N pods through pod.create
// (shorthand table -> strict decode -> engine.Create), in-process.
func BenchmarkCreatePods(b *testing.B) {
	s, _ := benchState(b)
	chunk := fmt.Sprintf(`for i = 1, %d do pod.create{name = "p" .. i, image = "busybox", labels = {app = "bench"}} end`, b.N)
	b.ResetTimer()
	cpu := cpuTime()
	if err := s.DoString(context.Background(), chunk, "bench.lua"); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pods/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "pods/cpu-s")
}

// BenchmarkCreatePodsBound is BenchmarkCreatePods with manifests bound to
// a node no agent runs: nothing in the engine reacts to the new pods (no
// scheduling attempt, no FailedScheduling event), so it measures the DSL
// and the engine's create alone.
func BenchmarkCreatePodsBound(b *testing.B) {
	s, _ := benchState(b)
	chunk := fmt.Sprintf(`for i = 1, %d do
		pod.create{metadata = {name = "p" .. i, labels = {app = "bench"}},
			spec = {nodeName = "bench-node", containers = {{name = "c", image = "busybox"}}}}
	end`, b.N)
	b.ResetTimer()
	cpu := cpuTime()
	if err := s.DoString(context.Background(), chunk, "bench.lua"); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pods/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "pods/cpu-s")
}

// BenchmarkListPods lists 10,000 pods into Lua tables (pod.list()).
func BenchmarkListPods(b *testing.B) {
	s, eng := benchState(b)
	ctx := context.Background()
	for i := range 10000 {
		if _, err := eng.Create(ctx, benchPod(i), cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	fn, err := s.L.LoadString(`local l = pod.list() assert(#l == 10000)`)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		if _, err := s.call(ctx, fn, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkListPodsRead is BenchmarkListPods reading every pod's name
// and a label, as a loop over the list does: each pod's metadata becomes
// a table, its spec and status stay in Go.
func BenchmarkListPodsRead(b *testing.B) {
	s, eng := benchState(b)
	ctx := context.Background()
	for i := range 10000 {
		if _, err := eng.Create(ctx, benchPod(i), cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	fn, err := s.L.LoadString(`local n = 0
		for _, p in ipairs(pod.list()) do
			if p.metadata.labels.app == "bench" then n = n + #p.metadata.name end
		end
		assert(n == 60000)`)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		if _, err := s.call(ctx, fn, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user+system CPU time: on a loaded machine it
// tells the work done from the time spent waiting for a CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPushPods is BenchmarkListPods without the engine: the
// conversion of 10,000 listed pods into Lua tables alone.
func BenchmarkPushPods(b *testing.B) {
	s, eng := benchState(b)
	ctx := context.Background()
	for i := range 10000 {
		if _, err := eng.Create(ctx, benchPod(i), cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	list, err := eng.List(ctx, "pods", cluster.ListOptions{Namespace: "default"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		s.pushList(s.L, list.Items)
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func benchPod(i int) *api.Pod {
	return &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("p%05d", i), Namespace: "default",
		Labels: map[string]string{"app": "bench", "rel": "stable"}},
		// Bound to a node no agent runs: the scheduler leaves them alone, so
		// the engine is idle while the conversion is measured.
		Spec: api.PodSpec{NodeName: "bench-node", Containers: []api.Container{{Name: "c", Image: "busybox",
			Command: []string{"sleep", "3600"}, Ports: []api.ContainerPort{{ContainerPort: 8080}}}}}}
}

// BenchmarkToLua converts one pod to a Lua table with the walker.
func BenchmarkToLua(b *testing.B) {
	s, _ := benchState(b)
	p := samplePod()
	b.ResetTimer()
	for range b.N {
		s.push(s.L, p)
	}
}

// BenchmarkEngineCreatePods is the baseline of BenchmarkCreatePods: the same
// pods created from Go, without Lua, to tell the DSL's cost from the
// engine's.
func BenchmarkEngineCreatePods(b *testing.B) { benchEngineCreate(b, "") }

// BenchmarkEngineCreatePodsBound is the baseline of
// BenchmarkCreatePodsBound.
func BenchmarkEngineCreatePodsBound(b *testing.B) { benchEngineCreate(b, "bench-node") }

func benchEngineCreate(b *testing.B, node string) {
	_, eng := benchState(b)
	ctx := context.Background()
	b.ResetTimer()
	cpu := cpuTime()
	for i := range b.N {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("p%d", i), Labels: map[string]string{"app": "bench"}},
			Spec: api.PodSpec{NodeName: node, Containers: []api.Container{{Name: "c", Image: "busybox"}}}}
		if _, err := eng.Create(ctx, p, cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pods/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "pods/cpu-s")
}

// BenchmarkPushPodsFloor copies 10,000 pod tables of the very shape
// pod.list makes with nothing but gopher-lua's table calls: the cost
// gopher-lua itself sets for building them, which BenchmarkPushPods can
// only approach.
func BenchmarkPushPodsFloor(b *testing.B) {
	s, _ := benchState(b)
	shape := s.push(s.L, benchPod(1))
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		out := s.L.CreateTable(10000, 0)
		for i := range 10000 {
			out.RawSetInt(i+1, cloneTable(s, shape))
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func cloneTable(s *State, t *lua.LTable) *lua.LTable {
	n := 0
	t.ForEach(func(_, _ lua.LValue) { n++ })
	out := s.L.CreateTable(t.Len(), n-t.Len())
	t.ForEach(func(k, v lua.LValue) {
		if sub, ok := v.(*lua.LTable); ok {
			v = cloneTable(s, sub)
		}
		if ks, ok := k.(lua.LString); ok {
			out.RawSetString(string(ks), v)
		} else {
			out.RawSet(k, v)
		}
	})
	return out
}

// BenchmarkNew is the cost of a Lua state with every module, what
// `minish -e 'return 1'` pays besides process start.
func BenchmarkNew(b *testing.B) {
	for range b.N {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkEngineListPods is the engine's share of BenchmarkListPods: the
// same list from Go, without Lua.
func BenchmarkEngineListPods(b *testing.B) {
	_, eng := benchState(b)
	ctx := context.Background()
	for i := range 10000 {
		if _, err := eng.Create(ctx, benchPod(i), cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		list, err := eng.List(ctx, "pods", cluster.ListOptions{Namespace: "default"})
		if err != nil || len(list.Items) != 10000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}
