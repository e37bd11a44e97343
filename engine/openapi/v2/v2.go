package openapiv2

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"

	"github.com/minspace/min/engine/openapi"
)

// ProtobufType is the Content-Type of Protobuf as kube-openapi's
// handler labels it (clients ask for ".v2@v1.0+protobuf", which Go's
// mime package, used by client-go, cannot parse back).
const ProtobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

// Protobuf is engine/openapi's document as Swagger 2.0 in gnostic's protobuf
// encoding, the only form /openapi/v2 is read in: kubectl 1.27 and 1.28
// validate create and apply with it (later ones use v3).
var Protobuf = sync.OnceValues(func() ([]byte, error) {
	js, err := toV2(openapi.V1())
	if err != nil {
		return nil, err
	}
	doc, err := openapi_v2.ParseDocument(js)
	if err != nil {
		return nil, fmt.Errorf("openapi: parsing the v2 document: %w", err)
	}
	return proto.Marshal(doc)
})

// toV2 converts the v3 document: definitions instead of
// components.schemas, parameters with their type inline, and a response
// for each operation (Swagger requires one).
func toV2(v3 []byte) ([]byte, error) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(v3, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	paths := map[string]any{}
	for p, ops := range doc.Paths {
		item := map[string]any{}
		for verb, raw := range ops {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("openapi: %s %s: %w", verb, p, err)
			}
			if verb == "parameters" {
				item[verb] = v2Parameters(v)
				continue
			}
			op, _ := v.(map[string]any)
			if params, ok := op["parameters"]; ok {
				op["parameters"] = v2Parameters(params)
			}
			op["responses"] = map[string]any{"200": map[string]any{"description": "OK"}}
			item[verb] = op
		}
		paths[p] = item
	}
	for _, d := range doc.Components.Schemas {
		dropV3Only(d)
	}
	b, err := json.Marshal(map[string]any{
		"swagger":     "2.0",
		"info":        map[string]any{"title": "Min", "version": "v1"},
		"paths":       paths,
		"definitions": doc.Components.Schemas,
	})
	if err != nil {
		return nil, err
	}
	return []byte(strings.ReplaceAll(string(b), `"#/components/schemas/`, `"#/definitions/`)), nil
}

// v2Parameters moves each parameter's schema type inline.
func v2Parameters(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, p := range list {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		c := maps.Clone(m)
		if s, ok := c["schema"].(map[string]any); ok && c["in"] != "body" {
			delete(c, "schema")
			for k, x := range s {
				c[k] = x
			}
		}
		out = append(out, c)
	}
	return out
}

// dropV3Only removes what Swagger 2.0 lacks: oneOf and anyOf (Quantity and
// IntOrString are strings there, with their format) and nullable.
func dropV3Only(v any) {
	switch x := v.(type) {
	case map[string]any:
		_, one := x["oneOf"]
		_, any := x["anyOf"]
		if one || any {
			delete(x, "oneOf")
			delete(x, "anyOf")
			if _, ok := x["type"]; !ok {
				x["type"] = "string"
			}
		}
		delete(x, "nullable")
		for _, e := range x {
			dropV3Only(e)
		}
	case []any:
		for _, e := range x {
			dropV3Only(e)
		}
	}
}
