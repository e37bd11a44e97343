package bindings

import (
	"fmt"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/openapi"
)

// explain prints a kind or field path like kubectl explain.
func (s *State) explain(L *lua.LState) int {
	text, err := explainText(L.CheckString(1))
	if err != nil {
		s.raise(L, reasonBadRequest, "explain: %v", err)
	}
	fmt.Fprint(s.opts.Stdout, text)
	return 0
}

// explainText renders "pod", "pod.spec" or "pod.spec.containers".
func explainText(path string) (string, error) {
	parts := strings.Split(path, ".")
	k, ok := api.KindFor(strings.ToLower(parts[0]))
	if !ok {
		k, ok = api.KindFor(parts[0])
	}
	if !ok {
		return "", fmt.Errorf("the server doesn't have a resource type %q", parts[0])
	}
	t := reflect.TypeOf(k.New()).Elem()
	owner := t
	fieldName := ""
	for _, p := range parts[1:] {
		f, found := jsonField(t, p)
		if !found {
			return "", fmt.Errorf("field %q does not exist in %s", p, typeName(t))
		}
		owner, fieldName = t, p
		t = elemStruct(f.Type)
		if t == nil {
			t = f.Type
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "KIND:       %s\nVERSION:    v1\n\n", k.Kind)
	fields := parts[1:]
	if fieldName != "" {
		f, _ := jsonField(owner, fieldName)
		fmt.Fprintf(&b, "FIELD: %s <%s>\n\n", fieldName, typeName(f.Type))
	}
	fmt.Fprintf(&b, "DESCRIPTION:\n%s", wrapText(describe(k.Kind, fields...), "    "))
	if t.Kind() == reflect.Struct && t != timeType && t != quantityType {
		b.WriteString("\nFIELDS:\n")
		for _, fp := range jsonFields(t, nil) {
			f := t.FieldByIndex(fp.index)
			fmt.Fprintf(&b, "  %s\t<%s>\n%s\n", fp.name, typeName(f.Type), wrapText(describe(k.Kind, append(fields[:len(fields):len(fields)], fp.name)...), "    "))
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for _, fp := range jsonFields(t, nil) {
		if fp.name == name {
			return t.FieldByIndex(fp.index), true
		}
	}
	return reflect.StructField{}, false
}

// elemStruct is the struct a field holds (through pointers, slices, maps).
func elemStruct(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

// typeName spells a Go type the way kubectl explain does.
func typeName(t reflect.Type) string {
	switch t {
	case timeType, microTimeType:
		return "string"
	case quantityType:
		return "Quantity"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Map:
		return "map[string]" + typeName(t.Elem())
	case reflect.Struct:
		return t.Name()
	case reflect.Int32, reflect.Int64, reflect.Int:
		return "integer"
	case reflect.Bool:
		return "boolean"
	}
	return t.Kind().String()
}

// describe is Kubernetes' description of a kind or field, from the
// OpenAPI document the API server serves to kubectl explain (one source
// for both).
func describe(kind string, path ...string) string {
	if d, ok := openapi.Description(kind, path...); ok && d != "" {
		return d
	}
	return "(no description)"
}

// wrapText breaks text into lines of at most 80 columns after indent, as
// kubectl explain prints descriptions.
func wrapText(text, indent string) string {
	var b strings.Builder
	for _, para := range strings.Split(text, "\n") {
		line := indent
		for _, w := range strings.Fields(para) {
			if len(line) > len(indent) && len(line)+1+len(w) > 80 {
				b.WriteString(line + "\n")
				line = indent
			}
			if len(line) > len(indent) {
				line += " "
			}
			line += w
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
