package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/manifest"
)

// OutputError is a bad -o value, template or --sort-by expression. Its
// message is kubectl's, without the "error: " that kubectl's checkErr
// puts in front of it. It matches ErrOutput.
type OutputError struct{ Msg string }

func (e *OutputError) Error() string        { return e.Msg }
func (e *OutputError) Is(target error) bool { return target == ErrOutput }

func outputErrorf(format string, a ...any) error {
	return &OutputError{Msg: fmt.Sprintf(format, a...)}
}

// allowedFormats are the -o values `kubectl get` knows, sorted as its
// NoCompatiblePrinterError prints them.
const allowedFormats = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"

func noPrinter(format string) error {
	return outputErrorf("unable to match a printer suitable for the output format %q, allowed formats are: %s", format, allowedFormats)
}

// PrintObjects prints objs of kind (a resource such as "pods", or any
// name api.KindFor knows) the way `kubectl get -o output` does: "" or
// "wide" as a table, "name", "yaml", "json", "jsonpath=TEMPLATE",
// "jsonpath-as-json=TEMPLATE", "jsonpath-file=FILE",
// "custom-columns=SPEC", "custom-columns-file=FILE", and the Go
// templates ("go-template=", "template=", "go-template-file=",
// "templatefile="), sorted by
// opts.SortBy when set. Several objects (or opts.Single unset) print as a
// `kind: List` in yaml, json and templates, as kubectl prints a list.
// An empty table prints nothing (the caller prints NoResources). Errors
// for bad formats, templates and sort fields are *OutputError with
// kubectl's messages.
func PrintObjects(w io.Writer, kind string, objs []api.Object, output string, opts Options, now time.Time) error {
	k, ok := api.KindFor(kind)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	if opts.ShowLabels && output != "" && output != "wide" {
		return outputErrorf("--show-labels option cannot be used with %s printer", output)
	}
	format, arg, hasArg := strings.Cut(output, "=")
	switch format {
	case "", "wide":
		if hasArg {
			return noPrinter(output)
		}
		opts.Wide = opts.Wide || format == "wide"
		return printTableOutput(w, k.Resource, objs, opts, now)
	case "name", "yaml", "json":
		if hasArg {
			return noPrinter(output)
		}
		return printGeneric(w, k, objs, format, opts)
	case "jsonpath", "jsonpath-as-json", "jsonpath-file":
		return printJSONPath(w, objs, format, arg, opts)
	case "custom-columns", "custom-columns-file":
		return printCustomColumns(w, objs, format, arg, opts)
	case "go-template", "go-template-file", "template", "templatefile":
		return printGoTemplate(w, objs, format, arg, opts)
	}
	return noPrinter(output)
}

func printTableOutput(w io.Writer, resource string, objs []api.Object, opts Options, now time.Time) error {
	t, err := TableFor(resource, objs, now)
	if err != nil {
		return err
	}
	if opts.SortBy != "" {
		if err := sortTable(t, opts.SortBy); err != nil {
			return err
		}
	}
	return PrintTable(w, t, opts)
}

// printGeneric is -o name|yaml|json.
func printGeneric(w io.Writer, k api.Kind, objs []api.Object, format string, opts Options) error {
	if !(opts.Single && len(objs) == 1) {
		var err error
		if objs, err = sortedObjects(objs, opts.SortBy); err != nil {
			return err
		}
	}
	switch format {
	case "name":
		return printNames(w, k, objs)
	case "yaml":
		return printYAML(w, objs, opts.Single)
	}
	return printJSON(w, objs, opts.Single)
}

// printNames is kubectl's name printer: kind in lower case, a slash, the
// name (core kinds have no group suffix).
func printNames(w io.Writer, k api.Kind, objs []api.Object) error {
	var b bytes.Buffer
	for _, o := range objs {
		kind := k.Kind
		if ok, found := api.KindOf(o); found {
			kind = ok.Kind
		}
		b.WriteString(strings.ToLower(kind) + "/" + o.GetObjectMeta().Name + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

func printYAML(w io.Writer, objs []api.Object, single bool) error {
	var b []byte
	var err error
	if single && len(objs) == 1 {
		b, err = manifest.Encode(objs[0], "yaml")
	} else {
		b, err = manifest.EncodeList(objs, "yaml")
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// printJSON prints as kubectl's JSON printer does: objects arrive at
// kubectl as unstructured maps, so keys are sorted, indented by four
// spaces.
func printJSON(w io.Writer, objs []api.Object, single bool) error {
	data, err := queryData(objs, single)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "    ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// queryData is what kubectl's printers and templates see: the object, or
// a List of the objects, as unstructured JSON (maps, []any, string,
// int64, float64, bool), with apiVersion and kind filled in.
func queryData(objs []api.Object, single bool) (any, error) {
	if single && len(objs) == 1 {
		return unstructured(objs[0])
	}
	items := make([]any, len(objs))
	for i, o := range objs {
		u, err := unstructured(o)
		if err != nil {
			return nil, err
		}
		items[i] = u
	}
	return map[string]any{
		"apiVersion": "v1",
		"items":      items,
		"kind":       "List",
		"metadata":   map[string]any{"resourceVersion": ""},
	}, nil
}

// unstructured turns obj into the generic form kubectl works on.
func unstructured(obj api.Object) (map[string]any, error) {
	c := obj.DeepCopyObject()
	api.SetTypeMeta(c)
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := utiljson.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// items lists the objects a list-aware printer walks: the object itself
// or the items of the List.
func items(data any) []any {
	if m, ok := data.(map[string]any); ok && m["kind"] == "List" {
		if l, ok := m["items"].([]any); ok {
			return l
		}
	}
	return []any{data}
}

// sortedObjects applies --sort-by to objects printed without a table, as
// kubectl's SortingPrinter does for lists.
func sortedObjects(objs []api.Object, sortBy string) ([]api.Object, error) {
	if sortBy == "" || len(objs) == 0 {
		return objs, nil
	}
	data := make([]any, len(objs))
	for i, o := range objs {
		u, err := unstructured(o)
		if err != nil {
			return nil, err
		}
		data[i] = u
	}
	order, err := sortOrder(data, sortBy, false)
	if err != nil {
		return nil, err
	}
	out := make([]api.Object, len(objs))
	for i, j := range order {
		out[i] = objs[j]
	}
	return out, nil
}

// sortTable applies --sort-by to a table's rows by their objects, as
// kubectl's TableSorter does (it needs more than one row to sort, but
// checks the field on any).
func sortTable(t *Table, sortBy string) error {
	data := make([]any, len(t.Rows))
	for i := range t.Rows {
		if t.Rows[i].Object == nil {
			continue
		}
		u, err := unstructured(t.Rows[i].Object)
		if err != nil {
			return err
		}
		data[i] = u
	}
	order, err := sortOrder(data, sortBy, true)
	if err != nil {
		return err
	}
	rows := make([]Row, len(t.Rows))
	for i, j := range order {
		rows[i] = t.Rows[j]
	}
	t.Rows = rows
	return nil
}
