package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchServer is a server over an engine holding n pods in default.
func benchServer(b *testing.B, n int) (*server.Server, *engine.Engine) {
	e := enginetest.InProcess(b)
	ctx := context.Background()
	// Simulated nodes (110 pods each) run the pods, so that no scheduler
	// retries or status updates run while the benchmark measures.
	for i := 0; i <= n/110; i++ {
		node := &api.Node{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("sim-%d", i), Annotations: map[string]string{engine.NodeTypeAnnotation: engine.NodeSimulated}}}
		if _, err := e.Create(ctx, node, engine.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("kubia-%04d", i), Namespace: "default", Labels: map[string]string{"app": "kubia"}},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "kubia", Image: "luksa/kubia"}}}}
		if _, err := e.Create(ctx, p, engine.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	waitPodsRunning(b, e, n)
	return server.New(e, server.Options{Log: log.New(io.Discard, "", 0)}), e
}

// waitPodsRunning waits until n pods run.
func waitPodsRunning(b *testing.B, e *engine.Engine, n int) {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		l, err := e.List(context.Background(), "pods", engine.ListOptions{FieldSelector: "status.phase=Running"})
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Items) == n {
			return
		}
	}
	b.Fatalf("%d pods did not all run", n)
}

// BenchmarkGetPodsTable is the server's part of `kubectl get pods` with
// 1,000 pods: the list request with kubectl's Table Accept header, served
// by the handler into a recorder (no TLS, no client).
func BenchmarkGetPodsTable(b *testing.B) {
	s, _ := benchServer(b, 1000)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/api/v1/namespaces/default/pods?limit=500", nil)
		req.Header.Set("Accept", tableAccept)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"kubia-0999"`) {
			b.Fatalf("%d %.200s", rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkWatchLatency is the time from a write (a label patch) to its
// event arriving on an open watch over HTTP.
func BenchmarkWatchLatency(b *testing.B) {
	s, e := benchServer(b, 1)
	srv := httptest.NewServer(s)
	b.Cleanup(srv.Close)
	b.Cleanup(s.CloseStreams)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := e.List(ctx, "pods", engine.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/namespaces/default/pods?watch=true&resourceVersion="+l.ResourceVersion, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		patch := fmt.Sprintf(`{"metadata":{"labels":{"n":"%d"}}}`, i)
		if _, err := e.Patch(ctx, "pods", "default", "kubia-0000", []byte(patch), engine.UpdateOptions{}); err != nil {
			b.Fatal(err)
		}
		// Other writers (the scheduler's status updates) may come first.
		for want := `"n":"` + fmt.Sprint(i) + `"`; ; {
			line, err := r.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(line, want) {
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
