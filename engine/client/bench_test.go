package client_test

import (
	"context"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSocketGet is one get of a pod over the unix socket: client
// encode, HTTP on a kept-alive connection, server, engine, and back. It
// reports the median and p99 round trip and the CPU time per get (client
// and server together: they share this process).
func BenchmarkSocketGet(b *testing.B) {
	c, _ := serve(b, server.Options{}, client.Options{})
	ctx := context.Background()
	p := enginetest.Pod("", "web", map[string]string{"app": "web"})
	p.Spec.NodeName = "nobody"
	if _, err := c.Create(ctx, p, cluster.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		t0 := time.Now()
		if _, err := c.Get(ctx, "pods", "default", "web"); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkSocketList100 lists 100 pods over the socket.
func BenchmarkSocketList100(b *testing.B) {
	c, _ := serve(b, server.Options{}, client.Options{})
	ctx := context.Background()
	for i := range 100 {
		p := enginetest.Pod("", "web-"+string(rune('a'+i/26))+string(rune('a'+i%26)), map[string]string{"app": "web"})
		p.Spec.NodeName = "nobody"
		if _, err := c.Create(ctx, p, cluster.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		l, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "default", LabelSelector: "app=web"})
		if err != nil || len(l.Items) != 100 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
