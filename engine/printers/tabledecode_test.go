package printers

import (
	"bytes"
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
	for _, include := range []string{IncludeMetadata, IncludeObject} {
		data, err := TableJSON(table, "42", include)
		if err != nil {
			t.Fatal(err)
		}
		got, rv, err := DecodeTable(data, "pods")
		if err != nil {
			t.Fatalf("%s: %v", include, err)
		}
		if rv != "42" {
			t.Errorf("%s: resourceVersion %q", include, rv)
		}
		for name, opts := range optsCases {
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
		if _, _, err := DecodeTable([]byte(c.data), c.kind); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
