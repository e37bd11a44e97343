package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minspace/min/engine/api"
)

func TestEncodeJSONOrder(t *testing.T) {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "kubia", Namespace: "default", Labels: map[string]string{"app": "kubia"}},
		Spec:   api.PodSpec{Containers: []api.Container{{Name: "kubia", Image: "luksa/kubia", Ports: []api.ContainerPort{{ContainerPort: 8080}}}}},
		Status: api.PodStatus{Phase: "Pending"}}
	b, err := Encode(p, "json")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "kubia",
        "namespace": "default",
        "labels": {
            "app": "kubia"
        }
    },
    "spec": {
        "containers": [
            {
                "name": "kubia",
                "image": "luksa/kubia",
                "ports": [
                    {
                        "containerPort": 8080
                    }
                ]
            }
        ]
    },
    "status": {
        "phase": "Pending"
    }
}
`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	if p.Kind != "" {
		t.Fatalf("Encode changed its argument")
	}
}

func TestEncodeYAML(t *testing.T) {
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "custom-namespace"}}
	api.SetDefaults(ns)
	b, err := Encode(ns, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: custom-namespace\nspec:\n  finalizers:\n  - kubernetes\nstatus:\n  phase: Active\n"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	if _, err := Encode(ns, "xml"); err == nil {
		t.Fatalf("xml accepted")
	}
}

func TestEncodeList(t *testing.T) {
	objs := []api.Object{&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "a"}}, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n"}}}
	b, err := EncodeList(objs, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n") || !strings.HasSuffix(string(b), "kind: List\nmetadata:\n  resourceVersion: \"\"\n") {
		t.Fatalf("list shape:\n%s", b)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if len(back) != 2 || back[1].GetTypeMeta().Kind != "Node" {
		t.Fatalf("round trip of list: %v", back)
	}
}

// TestRoundTripKubia: decode, default, encode, decode again: the same
// object, in both formats.
func TestRoundTripKubia(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(kubiaDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no kubia examples: %v", err)
	}
	for _, f := range files {
		for _, format := range []string{"yaml", "json"} {
			t.Run(filepath.Base(f)+"/"+format, func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				objs, err := NewDecoder(Options{KeepStatus: true}).Decode(data)
				if err != nil {
					t.Fatal(err)
				}
				api.SetDefaults(objs[0])
				out, err := Encode(objs[0], format)
				if err != nil {
					t.Fatal(err)
				}
				back, err := NewDecoder(Options{KeepStatus: true}).Decode(out)
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				if !reflect.DeepEqual(back[0], objs[0]) {
					t.Fatalf("round trip differs:\n%s", out)
				}
				if !strings.HasPrefix(string(out), "apiVersion: v1\nkind: ") && !strings.HasPrefix(string(out), "{\n    \"apiVersion\": \"v1\",\n    \"kind\": ") {
					t.Fatalf("apiVersion/kind not first:\n%s", out)
				}
			})
		}
	}
}
