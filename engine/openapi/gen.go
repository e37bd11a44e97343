package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/minspace/min/engine/api"
)

// schemaPrefix is where Kubernetes' core/v1 schemas live; Min's kinds
// keep their upstream names so that explain prints the same types.
const schemaPrefix = "#/components/schemas/"

// Generate builds Min's document from Kubernetes' core/v1 OpenAPI v3
// document: the paths of Min's resources (operations without their
// request and response bodies), and the schemas of Min's kinds with only
// the properties Min's Go types have, following $refs in step with the Go
// field types. A property Min has and Kubernetes lacks is an error, so
// every description shown is Kubernetes' own.
func Generate(upstream []byte) ([]byte, error) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(upstream, &doc); err != nil {
		return nil, fmt.Errorf("openapi: reading the upstream document: %w", err)
	}
	supplement(doc.Components.Schemas)
	g := &generator{upstream: doc.Components.Schemas, out: map[string]any{}}
	for _, k := range api.Kinds {
		name := "io.k8s.api.core.v1." + k.Kind
		if err := g.schema(name, reflect.TypeOf(k.New()).Elem(), k.Kind); err != nil {
			return nil, err
		}
	}
	if len(g.missing) > 0 {
		sort.Strings(g.missing)
		return nil, fmt.Errorf("openapi: fields Kubernetes' document does not have: %s", strings.Join(g.missing, ", "))
	}
	paths := map[string]any{}
	for p, ops := range doc.Paths {
		if !minPath(p) {
			continue
		}
		paths[p] = trimOperations(ops)
	}
	out := map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"title": "Min", "version": "v1"},
		"paths":      paths,
		"components": map[string]any{"schemas": g.out},
	}
	return json.MarshalIndent(out, "", " ")
}

// minPath reports whether p is one of the resource paths Min serves.
func minPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/api/v1/")
	if !ok || strings.HasPrefix(rest, "watch/") {
		return false
	}
	seg := strings.Split(rest, "/")
	if len(seg) >= 3 && seg[0] == "namespaces" && seg[1] == "{namespace}" {
		seg = seg[2:]
	}
	if len(seg) > 2 && !(len(seg) == 3 && seg[0] == "replicationcontrollers" && seg[2] == "scale") {
		return false
	}
	for _, k := range api.Kinds {
		if seg[0] == k.Resource {
			return len(seg) == 1 || seg[1] == "{name}"
		}
	}
	return false
}

// trimOperations keeps an operation's description, id, parameters and
// x-kubernetes-* keys: what kubectl reads (the group-version-kind and
// the fieldValidation parameter).
func trimOperations(ops map[string]json.RawMessage) map[string]any {
	out := map[string]any{}
	for verb, raw := range ops {
		if verb == "parameters" {
			out[verb] = raw
			continue
		}
		var op map[string]any
		if json.Unmarshal(raw, &op) != nil {
			continue
		}
		kept := map[string]any{}
		for k, v := range op {
			if k == "description" || k == "operationId" || k == "parameters" || strings.HasPrefix(k, "x-kubernetes-") {
				kept[k] = v
			}
		}
		if gvk, ok := kept["x-kubernetes-group-version-kind"].(map[string]any); ok && gvk["group"] == "autoscaling" {
			delete(kept, "x-kubernetes-group-version-kind") // Min has no Scale schema
		}
		out[verb] = kept
	}
	return out
}

type generator struct {
	upstream map[string]map[string]any
	out      map[string]any
	missing  []string
}

// schema emits the upstream schema name pruned to the fields of Go type t.
func (g *generator) schema(name string, t reflect.Type, path string) error {
	if _, done := g.out[name]; done {
		return nil
	}
	up, ok := g.upstream[name]
	if !ok {
		return fmt.Errorf("openapi: no schema %s upstream (for %s)", name, path)
	}
	s := copyMap(up)
	g.out[name] = s
	props, _ := up["properties"].(map[string]any)
	if props == nil || t.Kind() != reflect.Struct {
		return g.refsOf(s, path) // a scalar type (Time, Quantity) or a free-form one
	}
	kept := map[string]any{}
	for _, f := range jsonFields(t) {
		p, ok := props[f.name]
		if !ok {
			g.missing = append(g.missing, path+"."+f.name)
			continue
		}
		kept[f.name] = p
		if ref := refOf(p); ref != "" {
			if err := g.schema(ref, elemType(f.typ), path+"."+f.name); err != nil {
				return err
			}
		}
	}
	s["properties"] = kept
	if req, ok := up["required"].([]any); ok {
		var r []any
		for _, x := range req {
			if _, ok := kept[x.(string)]; ok {
				r = append(r, x)
			}
		}
		if r == nil {
			delete(s, "required")
		} else {
			s["required"] = r
		}
	}
	return nil
}

// refsOf emits the schemas a kept-whole schema refers to.
func (g *generator) refsOf(s map[string]any, path string) error {
	var refs []string
	collectRefs(s, &refs)
	for _, r := range refs {
		if _, done := g.out[r]; done {
			continue
		}
		up, ok := g.upstream[r]
		if !ok {
			return fmt.Errorf("openapi: no schema %s upstream (for %s)", r, path)
		}
		g.out[r] = copyMap(up)
		if err := g.refsOf(up, path); err != nil {
			return err
		}
	}
	return nil
}

func collectRefs(v any, refs *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" {
				if s, ok := e.(string); ok {
					*refs = append(*refs, strings.TrimPrefix(s, schemaPrefix))
				}
				continue
			}
			collectRefs(e, refs)
		}
	case []any:
		for _, e := range x {
			collectRefs(e, refs)
		}
	}
}

// refOf finds the schema a property refers to, through allOf, items and
// additionalProperties.
func refOf(p any) string {
	m, ok := p.(map[string]any)
	if !ok {
		return ""
	}
	if r, ok := m["$ref"].(string); ok {
		return strings.TrimPrefix(r, schemaPrefix)
	}
	if all, ok := m["allOf"].([]any); ok && len(all) > 0 {
		return refOf(all[0])
	}
	if it := refOf(m["items"]); it != "" {
		return it
	}
	return refOf(m["additionalProperties"])
}

// elemType is the type a field's schema describes: through pointers,
// slices and map values.
func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t
}

type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists a struct's JSON fields, inlining embedded structs
// without a name (TypeMeta) as encoding/json does.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" && elemType(f.Type).Kind() == reflect.Struct {
			out = append(out, jsonFields(elemType(f.Type))...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, typ: f.Type})
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
