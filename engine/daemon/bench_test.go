package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

// BenchmarkLoad32 runs 32 clients doing create, get, list (by label) and
// delete against a daemon in another process for MIN_BENCH_SECONDS
// (default 20) and reports requests per second, latency percentiles, the
// engine's RSS after 10 s and at the end, and its CPU time. Pods are bound
// to a node nobody runs, so the load measures the API, not controllers.
// Not run in CI: go test -run XXX -bench Load32 -benchtime 1x ./engine/daemon
func BenchmarkLoad32(b *testing.B) {
	secs := 20
	if s, err := strconv.Atoi(os.Getenv("MIN_BENCH_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	home := testHome(b)
	st := startDaemon(b, home)
	for range b.N {
		r := runLoad(b, home, st.PID, 32, time.Duration(secs)*time.Second)
		b.ReportMetric(r.rps, "req/s")
		b.ReportMetric(r.p50.Seconds()*1e3, "p50-ms")
		b.ReportMetric(r.p99.Seconds()*1e3, "p99-ms")
		b.ReportMetric(float64(r.rss10)/(1<<20), "rss10s-MiB")
		b.ReportMetric(float64(r.rssEnd)/(1<<20), "rssEnd-MiB")
		b.ReportMetric(r.engineCPU.Seconds(), "engine-cpu-s")
		b.ReportMetric(float64(r.errors), "errors")
		b.Logf("%d requests in %v, %d errors (first: %v), engine CPU %v over %v wall, RSS %s", r.n, r.wall, r.errors, r.firstErr, r.engineCPU, r.wall, strings.Join(r.rssTrace, " "))
	}
}

type loadResult struct {
	n, errors      int
	firstErr       error
	rps            float64
	p50, p99, wall time.Duration
	rss10, rssEnd  int64
	rssTrace       []string
	engineCPU      time.Duration
}

func runLoad(b *testing.B, home string, pid, clients int, d time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var res loadResult
	var all []time.Duration
	var wg sync.WaitGroup
	cpu0 := procCPU(pid)
	start := time.Now()
	go func() { // RSS every 10 s: the store's watch history fills first, then it stays flat
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-tick.C:
				rss := procRSS(pid)
				mu.Lock()
				if i == 1 {
					res.rss10 = rss
				}
				res.rssTrace = append(res.rssTrace, fmt.Sprintf("%ds:%dMiB", i*10, rss>>20))
				mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := connect(b, home)
			lat, errs, first := loadWorker(ctx, c, w)
			mu.Lock()
			all = append(all, lat...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	res.engineCPU = procCPU(pid) - cpu0
	res.rssEnd = procRSS(pid)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res.n = len(all)
	if res.n > 0 {
		res.p50, res.p99 = all[res.n/2], all[res.n*99/100]
	}
	res.rps = float64(res.n) / res.wall.Seconds()
	return res
}

// loadWorker loops create, get, list, delete on its own pods.
func loadWorker(ctx context.Context, c *client.Client, w int) ([]time.Duration, int, error) {
	var lat []time.Duration
	errs := 0
	var first error
	sel := fmt.Sprintf("worker=w%d", w)
	timed := func(f func() error) {
		t0 := time.Now()
		err := f()
		if ctx.Err() != nil {
			return
		}
		lat = append(lat, time.Since(t0))
		if err != nil && !errors.Is(err, api.ErrConflict) {
			errs++
			if first == nil {
				first = err
			}
		}
	}
	for i := 0; ctx.Err() == nil; i++ {
		name := fmt.Sprintf("w%d-%d", w, i)
		p := enginetest.Pod("", name, map[string]string{"worker": fmt.Sprintf("w%d", w)})
		p.Spec.NodeName = "nobody"
		timed(func() error { _, err := c.Create(ctx, p, cluster.CreateOptions{}); return err })
		timed(func() error { _, err := c.Get(ctx, "pods", "default", name); return err })
		timed(func() error {
			_, err := c.List(ctx, "pods", cluster.ListOptions{Namespace: "default", LabelSelector: sel})
			return err
		})
		timed(func() error { _, err := c.Delete(ctx, "pods", "default", name, cluster.DeleteOptions{}); return err })
	}
	return lat, errs, first
}

// procRSS is a process's resident set in bytes.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// procCPU is a process's user plus system CPU time.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
