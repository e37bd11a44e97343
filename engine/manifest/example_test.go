package manifest_test

import (
	"fmt"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/manifest"
)

func ExampleDecode() {
	objs, err := manifest.Decode([]byte(`apiVersion: v1
kind: Namespace
metadata:
  name: custom-namespace
---
apiVersion: v1
kind: Pod
metadata:
  name: kubia-manual
spec:
  containers:
  - image: luksa/kubia
    name: kubia
`))
	if err != nil {
		panic(err)
	}
	for _, o := range objs {
		fmt.Println(o.GetTypeMeta().Kind, o.GetObjectMeta().Name)
	}
	// Output:
	// Namespace custom-namespace
	// Pod kubia-manual
}

// A typo is refused with its path and the nearest field; the Lua
// bindings print the same error with 1-based indices.
func ExampleFieldError() {
	_, err := manifest.Decode([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: kubia}\nspec:\n  containers:\n  - name: kubia\n    imgae: luksa/kubia\n"))
	fmt.Println(err)
	fmt.Println(manifest.Local(err, 1))
	// Output:
	// Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imgae" (did you mean "image"?)
	// spec.containers[1]: unknown field "imgae" (did you mean "image"?)
}

func ExampleEncode() {
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "custom-namespace"}}
	api.SetDefaults(ns)
	out, err := manifest.Encode(ns, "yaml")
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: v1
	// kind: Namespace
	// metadata:
	//   name: custom-namespace
	// spec:
	//   finalizers:
	//   - kubernetes
	// status:
	//   phase: Active
}
