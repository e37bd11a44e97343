package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestPodJSONRoundTrip: what the store writes, it reads back unchanged.
func TestPodJSONRoundTrip(t *testing.T) {
	p := benchPod()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Pod
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Fatalf("round trip differs:\n%s\n%s", b, b2)
	}
	if !reflect.DeepEqual(back.Labels, p.Labels) || qs(back.Spec.Containers[0].Resources.Limits["memory"]) != "128Mi" {
		t.Fatalf("decoded %+v", back)
	}
}

func TestListUnmarshal(t *testing.T) {
	in := `{"apiVersion":"v1","kind":"List","metadata":{},"items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":null}},{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"b"}}]}`
	var l List
	if err := json.Unmarshal([]byte(in), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 || l.Items[0].(*Pod).Name != "a" || l.Items[1].(*Namespace).Name != "b" {
		t.Fatalf("items %+v", l.Items)
	}
	if err := json.Unmarshal([]byte(`{"items":[{"apiVersion":"v1","kind":"Foo"}]}`), &l); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

// BenchmarkPodUnmarshal is the store's cost per pod on reopen.
func BenchmarkPodUnmarshal(b *testing.B) {
	data, err := json.Marshal(benchPod())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p Pod
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPodMarshal is the store's cost per pod write.
func BenchmarkPodMarshal(b *testing.B) {
	p := benchPod()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidatePod(b *testing.B) {
	p := benchPod()
	SetDefaults(p)
	b.ReportAllocs()
	for b.Loop() {
		if errs := ValidateObject(p); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
