package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkDecodeKubiaYAML(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(kubiaDir, "kubia-manual-with-labels.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeObjectTable(b *testing.B) {
	table := func() map[string]any {
		return map[string]any{
			"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
			"spec": map[string]any{"containers": []any{
				map[string]any{"name": "web", "image": "nginx", "ports": []any{map[string]any{"containerPort": 80}}},
			}},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeObject("Pod", table()); err != nil {
			b.Fatal(err)
		}
	}
}
