package client_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

// BenchmarkInProcessLoad32 is the 32-client create/get/list/delete loop
// with client, server and engine in this process (for CPU profiles:
// go test -run XXX -bench InProcessLoad32 -cpuprofile cpu.out).
func BenchmarkInProcessLoad32(b *testing.B) {
	c, _ := serve(b, server.Options{}, client.Options{})
	ctx := context.Background()
	b.ResetTimer()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	per := b.N/32 + 1
	t0 := time.Now()
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sel := fmt.Sprintf("worker=w%d", w)
			for i := range per {
				name := fmt.Sprintf("w%d-%d", w, i)
				p := enginetest.Pod("", name, map[string]string{"worker": fmt.Sprintf("w%d", w)})
				p.Spec.NodeName = "nobody"
				if _, err := c.Create(ctx, p, cluster.CreateOptions{}); err != nil {
					b.Error(err)
					return
				}
				c.Get(ctx, "pods", "default", name)
				c.List(ctx, "pods", cluster.ListOptions{Namespace: "default", LabelSelector: sel})
				c.Delete(ctx, "pods", "default", name, cluster.DeleteOptions{})
			}
		}()
	}
	wg.Wait()
	n := float64(per * 32 * 4)
	b.ReportMetric(n/time.Since(t0).Seconds(), "req/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/n, "cpu-µs/req")
}
