package tests

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
)

// verbsCluster makes a state directory holding n pods on simulated nodes
// (1,000 pods a node), spread over namespaces of 1,000 pods, all Running.
func verbsCluster(b *testing.B, n int) string {
	b.Helper()
	home := b.TempDir()
	e, err := engine.Open(home, engine.Options{NoHostNode: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	for i := range (n + 999) / 1000 {
		node := &api.Node{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("node-%03d", i),
			Annotations: map[string]string{api.NodeTypeAnnotation: api.NodeSimulated}}}
		node.Status.Capacity = api.ResourceList{"cpu": resource.MustParse("640"),
			"memory": resource.MustParse("2560Gi"), "pods": resource.MustParse("1000")}
		if _, err := e.Create(ctx, node, cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		ns := "default"
		if i > 0 {
			ns = fmt.Sprintf("ns-%03d", i)
			if _, err := e.Create(ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns}}, cluster.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		for j := 0; j < 1000 && i*1000+j < n; j++ {
			p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("pod-%05d", j), Namespace: ns,
				Labels: map[string]string{"app": "bench"}}}
			p.Spec.NodeName = node.Name
			p.Spec.Containers = []api.Container{{Name: "c", Image: "busybox"}}
			if _, err := e.Create(ctx, p, cluster.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		l, err := e.List(ctx, "pods", cluster.ListOptions{FieldSelector: "status.phase=Running"})
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Items) >= n {
			return home
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d pods running", len(l.Items), n)
		}
		time.Sleep(time.Second)
	}
}

// benchProcess runs minish with args b.N times as a whole process and
// reports the median wall time. By default minish talks to the engine
// daemon, which the first (untimed) run starts and the benchmark stops;
// embedded opens the engine in each process instead.
func benchProcess(b *testing.B, home string, embedded bool, args ...string) {
	bin := filepath.Join(minishBin(&testing.T{}), "minish")
	env := append(os.Environ(), "MIN_HOME="+home, "MIN_NO_HOST_NODE=1")
	if embedded {
		env = append(env, "MIN_EMBEDDED=1")
	} else {
		b.Cleanup(func() { daemonctl.Stop(home, 30*time.Second) })
	}
	run := func() time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		return time.Since(start)
	}
	run() // starts the daemon; fills the compiled-Lua cache
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		times = append(times, run())
	}
	reportMedian(b, times)
}

// benchInProcess runs the same verb through the Lua API (kubectl.main)
// on an engine opened once.
func benchInProcess(b *testing.B, home string, args ...string) {
	e, err := engine.Open(home, engine.Options{NoHostNode: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s, err := bindings.New(bindings.Options{Stdout: io.Discard, Stderr: io.Discard,
		Engine: func(context.Context) (cluster.Interface, error) { return e, nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if code, err := s.Kubectl(context.Background(), args); code != 0 || err != nil {
			b.Fatalf("exit %d: %v", code, err)
		}
		times = append(times, time.Since(start))
	}
	reportMedian(b, times)
}

func reportMedian(b *testing.B, times []time.Duration) {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkVerbGetPods1000 is `minish get pods` with 1,000 pods (goal:
// under 50 ms median as a whole process), and the same in-process.
func BenchmarkVerbGetPods1000(b *testing.B) {
	home := verbsCluster(b, 1000)
	b.Run("process", func(b *testing.B) { benchProcess(b, home, false, "get", "pods") })
	b.Run("process-embedded", func(b *testing.B) { benchProcess(b, home, true, "get", "pods") })
	b.Run("lua", func(b *testing.B) { benchInProcess(b, home, "get", "pods") })
}

// BenchmarkVerbGetPodsAll100k is `minish get pods -A` with 100,000 pods
// on simulated nodes (goal: under 2 s), and the same in-process.
func BenchmarkVerbGetPodsAll100k(b *testing.B) {
	home := verbsCluster(b, 100000)
	b.Run("process", func(b *testing.B) { benchProcess(b, home, false, "get", "pods", "-A") })
	b.Run("lua", func(b *testing.B) { benchInProcess(b, home, "get", "pods", "-A") })
}
