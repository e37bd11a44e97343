package printers

import (
	"bytes"
	"strings"
	"testing"
)

// A Table that travelled as JSON prints exactly as the one it was made
// from, for every decoration that reads the rows' objects.
func TestDecodeTableRoundTrip(t *testing.T) {
	objs := kubiaPods()
	objs[0].GetObjectMeta().Namespace = "custom"
	table, err := TableFor("pods", objs, now)
	if err != nil {
		t.Fatal(err)
	}
	optsCases := map[string]Options{
		"default":        {},
		"wide":           {Wide: true},
		"all namespaces": {WithNamespace: true},
		"labels":         {ShowLabels: true, LabelColumns: []string{"app", "env"}},
		"no headers":     {NoHeaders: true, WithKind: true},
	}
	for _, include := range []string{IncludeNone, IncludeMetadata, IncludeObject} {
		data, err := TableJSON(table, "42", include)
		if err != nil {
			t.Fatal(err)
		}
		got, rv, err := DecodeTable(bytes.NewReader(data), "pods", include)
		if err != nil {
			t.Fatalf("%s: %v", include, err)
		}
		if rv != "42" {
			t.Errorf("%s: resourceVersion %q", include, rv)
		}
		for name, opts := range optsCases {
			if include == IncludeNone && (opts.WithNamespace || opts.ShowLabels) {
				continue // those columns come from the objects
			}
			var want, have bytes.Buffer
			if err := PrintTable(&want, table, opts); err != nil {
				t.Fatal(err)
			}
			if err := PrintTable(&have, got, opts); err != nil {
				t.Fatal(err)
			}
			if have.String() != want.String() {
				t.Errorf("%s, %s: decoded table prints\n%s\nwant\n%s", include, name, have.String(), want.String())
			}
		}
	}
}

func TestDecodeTableErrors(t *testing.T) {
	cases := map[string]struct {
		data, kind string
	}{
		"not json":       {`{"kind":`, "pods"},
		"not a table":    {`{"kind":"PodList","items":[]}`, "pods"},
		"unknown kind":   {`{"kind":"Table"}`, "widgets"},
		"bad row object": {`{"kind":"Table","rows":[{"cells":["a"],"object":{"metadata":"x"}}]}`, "pods"},
	}
	for name, c := range cases {
		if _, _, err := DecodeTable(strings.NewReader(c.data), c.kind, ""); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A decoded row's object is a PartialObject of the table's kind; its copy
// shares nothing with it.
func TestDecodeTablePartialObject(t *testing.T) {
	table, err := TableFor("pods", kubiaPods(), now)
	if err != nil {
		t.Fatal(err)
	}
	data, err := TableJSON(table, "1", IncludeMetadata)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := DecodeTable(bytes.NewReader(data), "po", IncludeMetadata)
	if err != nil {
		t.Fatal(err)
	}
	bare, _, err := DecodeTable(bytes.NewReader(data), "po", IncludeNone)
	if err != nil || bare.Rows[0].Object != nil || len(bare.Rows[0].Cells) != len(got.Rows[0].Cells) {
		t.Fatalf("decoded without objects: %v, row %#v", err, bare.Rows[0])
	}
	p, ok := got.Rows[0].Object.(*PartialObject)
	if !ok || p.Kind != "Pod" || p.APIVersion != "v1" || p.Metadata.Name != "kubia-manual" {
		t.Fatalf("row object %#v", got.Rows[0].Object)
	}
	c := p.DeepCopyObject().(*PartialObject)
	c.Metadata.Labels = map[string]string{"changed": "yes"}
	if p.Metadata.Labels["changed"] != "" || c.GetObjectMeta() != &c.Metadata || c.GetTypeMeta().Kind != "Pod" {
		t.Fatalf("copy shares memory or lost its kind: %#v", c)
	}
}
