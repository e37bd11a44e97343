package printers

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/client-go/util/jsonpath"

	"github.com/minspace/min/engine/api"
)

// printJSONPath is -o jsonpath=, jsonpath-as-json= and jsonpath-file=,
// as cli-runtime's JSONPathPrinter with --allow-missing-template-keys.
func printJSONPath(w io.Writer, objs []api.Object, format, tmpl string, opts Options) error {
	if tmpl == "" {
		return outputErrorf("template format specified but no template given")
	}
	if format == "jsonpath-file" {
		b, err := os.ReadFile(tmpl)
		if err != nil {
			return outputErrorf("error reading --template %s, %v", tmpl, err)
		}
		tmpl = string(b)
	}
	j := jsonpath.New("out")
	if err := j.Parse(tmpl); err != nil {
		return outputErrorf("error parsing jsonpath %s, %v", tmpl, err)
	}
	j.AllowMissingKeys(true)
	j.EnableJSONOutput(format == "jsonpath-as-json")
	data, err := templateData(objs, opts)
	if err != nil {
		return err
	}
	if err := j.Execute(w, data); err != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "Error executing template: %v. Printing more information for debugging the template:\n", err)
		fmt.Fprintf(&b, "\ttemplate was:\n\t\t%v\n", tmpl)
		fmt.Fprintf(&b, "\tobject given to jsonpath engine was:\n\t\t%#v\n\n", data)
		return outputErrorf("error executing jsonpath %q: %v", tmpl, b.String())
	}
	return nil
}

// templateData sorts objs by --sort-by and returns what a template sees.
func templateData(objs []api.Object, opts Options) (any, error) {
	if !(opts.Single && len(objs) == 1) {
		var err error
		if objs, err = sortedObjects(objs, opts.SortBy); err != nil {
			return nil, err
		}
	}
	return queryData(objs, opts.Single)
}

// column is one custom column: its header and its jsonpath.
type column struct {
	Header, FieldSpec string
}

// printCustomColumns is -o custom-columns=SPEC and custom-columns-file=,
// as kubectl's CustomColumnsPrinter: a header line (even for no objects),
// then one line per object, each cell the values found joined by commas
// or <none>, aligned like every kubectl table.
func printCustomColumns(w io.Writer, objs []api.Object, format, spec string, opts Options) error {
	if spec == "" {
		return outputErrorf("custom-columns format specified but no custom columns given")
	}
	cols, noHeaders, err := customColumns(format, spec, opts.NoHeaders)
	if err != nil {
		return err
	}
	parsers := make([]*jsonpath.JSONPath, len(cols))
	for i, c := range cols {
		parsers[i] = jsonpath.New(fmt.Sprintf("column%d", i)).AllowMissingKeys(true)
		if err := parsers[i].Parse(c.FieldSpec); err != nil {
			return &OutputError{Msg: err.Error()}
		}
	}
	data, err := templateData(objs, opts)
	if err != nil {
		return err
	}
	tw := newTabWriter(w)
	if !noHeaders {
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.Header
		}
		fmt.Fprintln(tw, strings.Join(headers, "\t"))
	}
	for _, item := range items(data) {
		if err := printColumnsRow(tw, item, parsers); err != nil {
			return err
		}
	}
	return tw.Flush()
}

func printColumnsRow(w io.Writer, item any, parsers []*jsonpath.JSONPath) error {
	cells := make([]string, len(parsers))
	for i, p := range parsers {
		values, err := p.FindResults(item)
		if err != nil {
			return &OutputError{Msg: err.Error()}
		}
		var vs []string
		if len(values) == 0 || len(values[0]) == 0 {
			vs = append(vs, "<none>")
		}
		for _, arr := range values {
			for _, v := range arr {
				vs = append(vs, EscapeTerminal(fmt.Sprint(v.Interface())))
			}
		}
		cells[i] = strings.Join(vs, ",")
	}
	_, err := fmt.Fprintln(w, strings.Join(cells, "\t"))
	return err
}

// customColumns parses SPEC (header:jsonpath,...) or, for the -file form,
// a file of two whitespace-separated lines, headers then specs. A file's
// columns always print their headers, as in kubectl.
func customColumns(format, spec string, noHeaders bool) ([]column, bool, error) {
	if format == "custom-columns-file" {
		b, err := os.ReadFile(spec)
		if err != nil {
			return nil, false, outputErrorf("error reading template %s, %v\n", spec, err)
		}
		cols, err := columnsFromTemplate(b)
		return cols, false, err
	}
	parts := strings.Split(spec, ",")
	cols := make([]column, len(parts))
	for i, part := range parts {
		header, path, ok := strings.Cut(part, ":")
		if !ok {
			return nil, false, outputErrorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
		}
		field, err := relaxedJSONPath(path)
		if err != nil {
			return nil, false, err
		}
		cols[i] = column{Header: header, FieldSpec: field}
	}
	return cols, noHeaders, nil
}

func columnsFromTemplate(b []byte) ([]column, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() {
		return nil, outputErrorf("invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.")
	}
	headers := strings.Fields(sc.Text())
	if !sc.Scan() {
		return nil, outputErrorf("invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.")
	}
	specs := strings.Fields(sc.Text())
	if len(headers) != len(specs) {
		return nil, outputErrorf("number of headers (%d) and field specifications (%d) don't match", len(headers), len(specs))
	}
	cols := make([]column, len(headers))
	for i := range headers {
		field, err := relaxedJSONPath(specs[i])
		if err != nil {
			return nil, err
		}
		cols[i] = column{Header: headers[i], FieldSpec: field}
	}
	return cols, nil
}

// relaxedJSONPath is kubectl's RelaxedJSONPathExpression: metadata.name,
// .metadata.name, {metadata.name} and {.metadata.name} all become
// {.metadata.name}. (Written without a regexp, which would cost every
// program that links this package a compile at start-up.)
func relaxedJSONPath(s string) (string, error) {
	if s == "" {
		return s, nil
	}
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		if f, ok := fieldSpec(s[1 : len(s)-1]); ok {
			return "{." + f + "}", nil
		}
	}
	if f, ok := fieldSpec(s); ok {
		return "{." + f + "}", nil
	}
	return "", outputErrorf("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
}

// fieldSpec matches \.?([^{}]+) and returns the group.
func fieldSpec(s string) (string, bool) {
	if strings.ContainsAny(s, "{}") {
		return "", false
	}
	if len(s) > 1 && s[0] == '.' {
		return s[1:], true
	}
	return s, s != ""
}
