package manifest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// TypeError is a value of the wrong JSON type (a string for a port…).
// Error() is encoding/json's text, which is what Kubernetes prints; Path
// adds the list indices that text lacks, for Local.
type TypeError struct {
	Path Path
	Err  *json.UnmarshalTypeError
}

func (e *TypeError) Error() string { return e.Err.Error() }

// Unwrap returns encoding/json's error.
func (e *TypeError) Unwrap() error { return e.Err }

// Local prints the error at its path with list indices counted from base:
// `spec.containers[1].ports[1].containerPort: expected a number, got a string`.
func (e *TypeError) Local(base int) string {
	got, _, _ := strings.Cut(e.Err.Value, " ")
	msg := "expected " + kindName(e.Err.Type) + ", got " + article(got)
	if p := e.Path.Render(base); p != "" {
		return p + ": " + msg
	}
	return msg
}

func kindName(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

func article(jsonType string) string {
	switch jsonType {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "":
		return "another type"
	}
	return "a " + jsonType
}

// withTypePath wraps a json type error with the indexed path of the value
// it is about, found in the generic form m of the same document.
func withTypePath(err error, m map[string]any) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	got, _, _ := strings.Cut(te.Value, " ")
	var names []string
	if te.Field != "" {
		names = strings.Split(te.Field, ".")
	}
	if p, ok := findTyped(m, names, got, nil); ok {
		return &TypeError{Path: p, Err: te}
	}
	return &TypeError{Path: namesPath(names), Err: te}
}

// findTyped follows names through v, trying list elements in order, to
// the first value of JSON type want.
func findTyped(v any, names []string, want string, path Path) (Path, bool) {
	if l, ok := v.([]any); ok && (len(names) > 0 || want != "array") {
		for i, e := range l {
			if p, ok := findTyped(e, names, want, path.index(i)); ok {
				return p, true
			}
		}
		return nil, false
	}
	if len(names) == 0 {
		return path, jsonTypeName(v) == want
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	e, ok := m[names[0]]
	if !ok {
		return nil, false
	}
	return findTyped(e, names[1:], want, path.child(names[0]))
}

func namesPath(names []string) Path {
	var p Path
	for _, n := range names {
		p = p.child(n)
	}
	return p
}

// jsonTypeName names v's JSON type as encoding/json's errors do.
func jsonTypeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64, int, int64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// Local renders a decoding error for a user who wrote the object as a
// table rather than a manifest (the Lua bindings): field paths with list
// indices counted from base and without Kubernetes' "Pod in version "v1"
// cannot be handled as a Pod: " wrapper. Other errors print as they are.
func Local(err error, base int) string {
	var fes FieldErrors
	if errors.As(err, &fes) {
		return fes.Local(base)
	}
	var te *TypeError
	if errors.As(err, &te) {
		return te.Local(base)
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Err.Error()
	}
	return err.Error()
}
