package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
)

// listJSON is a pod list response as the server writes it.
func listJSON(t testing.TB, n int) []byte {
	items := make([]*api.Pod, n)
	for i := range items {
		items[i] = enginetest.Pod("default", fmt.Sprintf("web-%04d", i), map[string]string{"app": "web"})
	}
	b, err := json.Marshal(map[string]any{"kind": "PodList", "apiVersion": "v1",
		"metadata": map[string]string{"resourceVersion": "42"}, "items": items})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeList(t *testing.T) {
	k, _ := api.KindFor("pods")
	l, err := decodeList(k, bytes.NewReader(listJSON(t, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if l.ResourceVersion != "42" || len(l.Items) != 3 || l.Items[2].GetObjectMeta().Name != "web-0002" {
		t.Fatalf("decoded %+v", l)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"null items", `{"metadata":{"resourceVersion":"7"},"items":null}`, ""},
		{"not an object", `[]`, "want"},
		{"items not an array", `{"items":{}}`, "items: want an array"},
		{"bad item", `{"items":[{"metadata":{"name":1}}]}`, "item 0"},
		{"truncated", `{"items":[{"metadata":{}}`, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeList(k, strings.NewReader(tc.body))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkDecodeList1000 is the client's share of listing 1,000 pods.
func BenchmarkDecodeList1000(b *testing.B) {
	data := listJSON(b, 1000)
	k, _ := api.KindFor("pods")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		if _, err := decodeList(k, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
