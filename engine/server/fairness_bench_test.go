package server_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine/server"
)

// BenchmarkGetBesideLists is the latency of another client's get of one
// pod (kept-alive, over loopback HTTP) while 8 clients list 1,000 pods as
// Tables without pause, with the default ListConcurrency and with lists
// unbounded: what the list slots are for. It reports the get's median
// and p90.
func BenchmarkGetBesideLists(b *testing.B) {
	_, e := benchServer(b, 1000)
	for _, c := range []struct {
		name  string
		slots int
	}{{"default", 0}, {"unbounded", 1 << 10}} {
		b.Run(c.name, func(b *testing.B) {
			s := server.New(e, server.Options{Log: log.New(io.Discard, "", 0), ListConcurrency: c.slots})
			srv := httptest.NewServer(s)
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { listUntil(ctx, srv.URL) })
			}
			time.Sleep(100 * time.Millisecond)
			client := &http.Client{}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				resp, err := client.Get(srv.URL + "/api/v1/namespaces/default/pods/kubia-0001")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			cancel()
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1e3, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1e3, "p90-ms")
		})
	}
}

// listUntil lists the pods as a Table until ctx ends.
func listUntil(ctx context.Context, url string) {
	client := &http.Client{}
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/namespaces/default/pods?limit=500", nil)
		req.Header.Set("Accept", tableAccept)
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
