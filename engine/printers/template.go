package printers

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"text/template"

	"github.com/minspace/min/engine/api"
)

// printGoTemplate is -o go-template=, template=, go-template-file= and
// templatefile=, as cli-runtime's GoTemplatePrinter with
// --allow-missing-template-keys: the template sees the JSON of the object
// or List decoded by encoding/json (numbers are float64), with kubectl's
// functions exists and base64decode. On a failure it writes kubectl's
// debugging text to w before returning the error.
func printGoTemplate(w io.Writer, objs []api.Object, format, tmpl string, opts Options) error {
	if tmpl == "" {
		return outputErrorf("template format specified but no template given")
	}
	if format == "go-template-file" || format == "templatefile" {
		b, err := os.ReadFile(tmpl)
		if err != nil {
			return outputErrorf("error reading --template %s, %v", tmpl, err)
		}
		tmpl = string(b)
	}
	t, err := template.New("output").Funcs(template.FuncMap{"exists": exists, "base64decode": base64decode}).Parse(tmpl)
	if err != nil {
		return outputErrorf("error parsing template %s, %v", tmpl, err)
	}
	t.Option("missingkey=default")
	data, err := templateData(objs, opts)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	if err := safeExecute(t, w, out); err != nil {
		fmt.Fprintf(w, "Error executing template: %v. Printing more information for debugging the template:\n", err)
		fmt.Fprintf(w, "\ttemplate was:\n\t\t%v\n", tmpl)
		fmt.Fprintf(w, "\traw data was:\n\t\t%v\n", string(raw))
		fmt.Fprintf(w, "\tobject given to template engine was:\n\t\t%+v\n\n", out)
		return outputErrorf("error executing template %q: %v", tmpl, err)
	}
	return nil
}

// safeExecute turns a panic inside the template into an error.
func safeExecute(t *template.Template, w io.Writer, data any) (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("caught panic: %+v", x)
		}
	}()
	return t.Execute(w, data)
}

func base64decode(v string) (string, error) {
	data, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("base64 decode failed: %v", err)
	}
	return string(data), nil
}

// exists reports whether `index item indices...` would succeed and find a
// non-nil value (kubectl's template function).
func exists(item any, indices ...any) bool {
	v := reflect.ValueOf(item)
	for _, i := range indices {
		index := reflect.ValueOf(i)
		var isNil bool
		if v, isNil = indirect(v); isNil {
			return false
		}
		switch v.Kind() {
		case reflect.Array, reflect.Slice, reflect.String:
			x, ok := intIndex(index)
			if !ok || x < 0 || x >= int64(v.Len()) {
				return false
			}
			v = v.Index(int(x))
		case reflect.Map:
			if !index.IsValid() {
				index = reflect.Zero(v.Type().Key())
			}
			if !index.Type().AssignableTo(v.Type().Key()) {
				return false
			}
			if x := v.MapIndex(index); x.IsValid() {
				v = x
			} else {
				v = reflect.Zero(v.Type().Elem())
			}
		default:
			return false
		}
	}
	_, isNil := indirect(v)
	return !isNil
}

func intIndex(index reflect.Value) (int64, bool) {
	switch index.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return index.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(index.Uint()), true
	}
	return 0, false
}

// indirect goes through pointers and empty interfaces, as text/template.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
		if v.Kind() == reflect.Interface && v.NumMethod() > 0 {
			break
		}
	}
	return v, false
}
