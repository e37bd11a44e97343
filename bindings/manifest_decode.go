package bindings

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine/api"
)

// decodeManifests decodes multi-document YAML or JSON into objects,
// flattening kind: List and skipping empty documents.
func decodeManifests(data []byte) ([]api.Object, error) {
	var out []api.Object
	for i, doc := range splitDocuments(data) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || string(t) == "null" {
			continue
		}
		objs, err := decodeJSONObject(j)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func decodeJSONObject(j []byte) ([]api.Object, error) {
	var tm api.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		return nil, err
	}
	if tm.Kind == "" {
		return nil, fmt.Errorf("Object 'Kind' is missing in '%s'", j)
	}
	if tm.Kind == "List" {
		var l struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(j, &l); err != nil {
			return nil, err
		}
		var out []api.Object
		for _, item := range l.Items {
			objs, err := decodeJSONObject(item)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
		return out, nil
	}
	k, ok := kindByName(tm.Kind)
	if !ok {
		return nil, fmt.Errorf("no matches for kind %q in version %q", tm.Kind, tm.APIVersion)
	}
	obj, err := decodeKind(j, k)
	if err != nil {
		return nil, err
	}
	return []api.Object{obj}, nil
}

func kindByName(kind string) (api.Kind, bool) {
	for _, k := range api.Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return api.Kind{}, false
}

// splitDocuments splits YAML on "---" lines.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.TrimLeft(line, "-")) == "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, cur.Bytes())
}

func reflectType(obj api.Object) reflect.Type { return reflect.TypeOf(obj) }
