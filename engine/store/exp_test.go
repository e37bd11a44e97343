package store

import "testing"

func benchCreatePolicy(b *testing.B, p SyncPolicy) {
	s, err := Open(b.TempDir(), Options{Sync: p})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range b.N {
		if _, err := s.Create(benchPod(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pods/s")
}
func BenchmarkExpNever(b *testing.B)  { benchCreatePolicy(b, SyncNever) }
func BenchmarkExpSecond(b *testing.B) { benchCreatePolicy(b, SyncEverySecond) }
