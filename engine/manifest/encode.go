package manifest

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine/api"
)

// Encode writes obj as "yaml" or "json" the way `kubectl get -o` does:
// apiVersion and kind filled in; JSON in Kubernetes field order
// (apiVersion, kind, metadata, spec, status) indented by four spaces;
// YAML with keys sorted, as kubectl's YAML printer does. obj is not
// changed.
func Encode(obj api.Object, format string) ([]byte, error) {
	c := obj.DeepCopyObject()
	api.SetTypeMeta(c)
	return encode(c, format)
}

// EncodeList writes objs as the `kind: List` that `kubectl get -o
// yaml|json` prints for several objects (keys in kubectl's order:
// apiVersion, items, kind, metadata with an empty resourceVersion).
func EncodeList(objs []api.Object, format string) ([]byte, error) {
	l := kubectlList{APIVersion: "v1", Kind: "List", Items: make([]api.Object, len(objs))}
	for i, o := range objs {
		c := o.DeepCopyObject()
		api.SetTypeMeta(c)
		l.Items[i] = c
	}
	return encode(&l, format)
}

// kubectlList is a List as kubectl prints it: its keys sorted, since
// kubectl prints lists as unstructured maps.
type kubectlList struct {
	APIVersion string       `json:"apiVersion"`
	Items      []api.Object `json:"items"`
	Kind       string       `json:"kind"`
	Metadata   struct {
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
}

func encode(v any, format string) ([]byte, error) {
	switch format {
	case "json":
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	case "yaml", "":
		return yaml.Marshal(v)
	}
	return nil, fmt.Errorf("unknown format %q: want yaml or json", format)
}
