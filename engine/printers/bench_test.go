package printers

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// benchPods makes n running pods spread over 10 namespaces, as simulated
// nodes report them.
func benchPods(n int) []api.Object {
	objs := make([]api.Object, n)
	for i := range objs {
		p := pod(fmt.Sprintf("kubia-%06d", i), time.Duration(i)*time.Second, scheduled(fmt.Sprintf("sim-%03d", i%100), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)),
			labelled("app", "kubia", "rel", fmt.Sprint(i%7)),
			status("Running", cstatus("kubia", true, int32(i%3), running(time.Minute), terminated(1, "Error", 90*time.Second))))
		p.Namespace = fmt.Sprintf("ns-%d", i%10)
		objs[i] = p
	}
	return objs
}

// BenchmarkTablePods1000 is the server side of `kubectl get pods` with
// 1,000 pods: building the Table.
func BenchmarkTablePods1000(b *testing.B) {
	pods := benchPods(1000)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := TableFor("pods", pods, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrintPods100000 is the printing part of `minish get pods -A`
// with 100,000 pods: Table and its rendering.
func BenchmarkPrintPods100000(b *testing.B) {
	pods := benchPods(100000)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if err := PrintObjects(io.Discard, "pods", pods, "", Options{WithNamespace: true}, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrintPods1000Wide is `get pods -o wide --show-labels` with 1,000 pods.
func BenchmarkPrintPods1000Wide(b *testing.B) {
	pods := benchPods(1000)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if err := PrintObjects(io.Discard, "pods", pods, "wide", Options{ShowLabels: true}, now); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU starts measuring CPU time; the returned func reports it per
// operation as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkTableJSONPods1000 is the server's whole answer to `kubectl get
// pods` with 1,000 pods: the Table and its JSON with row metadata.
func BenchmarkTableJSONPods1000(b *testing.B) {
	pods := benchPods(1000)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		t, err := TableFor("pods", pods, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := TableJSON(t, "1", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTablePods1000 is the client's side of a get of 1,000
// pods: decoding the Table, with rows bare (minish get pods) and with each
// row's metadata (get -A, --show-labels).
func BenchmarkDecodeTablePods1000(b *testing.B) {
	t, err := TableFor("pods", benchPods(1000), now)
	if err != nil {
		b.Fatal(err)
	}
	for _, include := range []string{"None", "Metadata"} {
		data, err := TableJSON(t, "1", include)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(include, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeTable(bytes.NewReader(data), "pods", include); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
