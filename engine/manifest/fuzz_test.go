package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/minspace/min/engine/api"
)

// FuzzDecode: no input panics the decoder (nor defaulting and validation
// of what it decodes), and whatever decodes encodes
// to a manifest that decodes again; from the second encoding on, the
// encoding is stable (the first may still drop empty-but-set maps, which
// the JSON omits).
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(kubiaDir, "*.yaml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"r"},"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"a","image":"b","resources":{"limits":{"cpu":"0.5","memory":"1.5Gi"}}}]}}}}`))
	f.Add([]byte("apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec: {taints: [{key: k, effect: NoSchedule}]}\nstatus: {capacity: {pods: 110}}\n"))
	f.Add([]byte("---\n---\nnull\n---\n- 1\n"))
	f.Add([]byte("apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {capacity: {cpu: \"1e-999999999\"}}\n"))
	dec := NewDecoder(Options{KeepStatus: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, _ := Decode(data)
		objs2, _ := dec.Decode(data)
		for _, o := range append(objs, objs2...) {
			checkAPI(o)
			for _, format := range []string{"json", "yaml"} {
				first := reencode(t, o, format)
				second := reencode(t, first, format)
				if again := reencode(t, second, format); !bytes.Equal(encoded(t, second, format), encoded(t, again, format)) {
					t.Fatalf("%s encoding not stable:\n%s\nthen\n%s", format, encoded(t, second, format), encoded(t, again, format))
				}
			}
		}
	})
}

// reencode encodes o and decodes it again (status kept).
func reencode(t *testing.T, o api.Object, format string) api.Object {
	t.Helper()
	out := encoded(t, o, format)
	back, err := NewDecoder(Options{KeepStatus: true}).Decode(out)
	if err != nil || len(back) != 1 {
		t.Fatalf("re-decode %s: %v (%d objects)\n%s", format, err, len(back), out)
	}
	return back[0]
}

func encoded(t *testing.T, o api.Object, format string) []byte {
	t.Helper()
	out, err := Encode(o, format)
	if err != nil {
		t.Fatalf("encode %s: %v", format, err)
	}
	return out
}

// checkAPI runs what the engine runs on a decoded object; it must not
// panic whatever the object holds.
func checkAPI(o api.Object) {
	c := o.DeepCopyObject()
	api.SetDefaults(c)
	_ = api.InvalidError(c, api.ValidateObject(c))
	_ = api.ValidateUpdate(c, o)
	_ = api.ValidateUpdate(o, c)
}
