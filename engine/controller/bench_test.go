package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// benchPods returns n running pods of rc "kubia", a tenth of them not
// ready, created a second apart.
func benchPods(n int) []*api.Pod {
	pods := make([]*api.Pod, n)
	for i := range pods {
		p := mkPod(fmt.Sprintf("kubia-%05d", i), created(time.Duration(i)*time.Second))
		if i%10 == 0 {
			notReady(p)
		}
		pods[i] = p
	}
	return pods
}

// BenchmarkReconcileRC10k: the steady state of an RC with 10,000 replicas.
func BenchmarkReconcileRC10k(b *testing.B) {
	pods := benchPods(10000)
	rc := mkRC(10000)
	b.ReportAllocs()
	for b.Loop() {
		if p := ReconcileRCAt(rc, pods, t0); p.Create != 0 || len(p.Delete) != 0 {
			b.Fatal(p.Create, len(p.Delete))
		}
	}
}

// BenchmarkScaleDown10kTo1: choosing 9,999 of 10,000 pods to delete, in order.
func BenchmarkScaleDown10kTo1(b *testing.B) {
	pods := benchPods(10000)
	rc := mkRC(1)
	b.ReportAllocs()
	for b.Loop() {
		if p := ReconcileRCAt(rc, pods, t0); len(p.Delete) != 9999 {
			b.Fatal(len(p.Delete))
		}
	}
}
