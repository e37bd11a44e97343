package server

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/minspace/min/engine/api"
)

// strictError is the apiserver's strict decoding error for a body with
// fields that kind k does not have: every unknown field with its full
// path (spec.containers[0].foo), sorted, comma-joined.
func strictError(k api.Kind, body []byte, err error) error {
	paths := unknownFields(body, reflect.TypeOf(k.New()))
	msg := strictText(err)
	if len(paths) > 0 {
		quoted := make([]string, len(paths))
		for i, p := range paths {
			quoted[i] = fmt.Sprintf("unknown field %q", p)
		}
		msg = "strict decoding error: " + strings.Join(quoted, ", ")
	}
	return api.NewBadRequest(fmt.Sprintf("%s in version \"v1\" cannot be handled as a %s: %s", k.Kind, k.Kind, msg))
}

// warnUnknown adds a Warning header per unknown field, the apiserver's
// answer to fieldValidation=Warn.
func warnUnknown(w http.ResponseWriter, body []byte, k api.Kind) {
	for _, p := range unknownFields(body, reflect.TypeOf(k.New())) {
		w.Header().Add("Warning", fmt.Sprintf("299 - %q", fmt.Sprintf("unknown field %q", p)))
	}
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// unknownFields lists the paths of body's fields that Go type t has no
// JSON field for.
func unknownFields(body []byte, t reflect.Type) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	walkUnknown(v, t, "", &out)
	sort.Strings(out)
	return out
}

func walkUnknown(v any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return // Time, Quantity: their own syntax
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := structFields(t)
		for key, val := range m {
			ft, ok := fields[key]
			if !ok {
				*out = append(*out, joinPath(path, key))
				continue
			}
			walkUnknown(val, ft, joinPath(path, key), out)
		}
	case reflect.Slice:
		l, _ := v.([]any)
		for i, e := range l {
			walkUnknown(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		m, _ := v.(map[string]any)
		for key, e := range m {
			walkUnknown(e, t.Elem(), joinPath(path, key), out)
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps a struct's JSON names to their types, inlining
// embedded structs without a name as encoding/json does.
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			for et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range structFields(et) {
					out[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
