package printers

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"k8s.io/apimachinery/pkg/labels"
)

// Options are the `kubectl get` flags that shape its output. The zero
// value prints the default columns with headers.
type Options struct {
	Wide          bool     // -o wide: priority 1 columns too
	ShowLabels    bool     // --show-labels: a final LABELS column
	LabelColumns  []string // -L a,b: one column per key, header = last /-segment upper-cased
	WithNamespace bool     // -A: NAMESPACE first (namespaced kinds only)
	NoHeaders     bool     // --no-headers
	WithKind      bool     // `get all` or several kinds: names print as pod/kubia
	SortBy        string   // --sort-by=JSONPATH (PrintObjects)
	// Single says that one object was asked for by name, as in `get pod
	// kubia -o yaml`: yaml, json and templates then see the object itself
	// rather than a `kind: List` around it.
	Single bool
}

// kubectl's tabwriter settings (cli-runtime printers.GetNewTabWriter).
const (
	tabMinWidth = 6
	tabWidth    = 4
	tabPadding  = 3
	tabPadChar  = ' '
)

func newTabWriter(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, tabMinWidth, tabWidth, tabPadding, tabPadChar, 0)
}

// NoResources is what kubectl prints on stderr (with a newline) when
// `get` found nothing: "No resources found in <ns> namespace." for a
// namespaced kind in one namespace, "No resources found" for -A or a
// cluster-scoped kind (pass allNamespaces=true then).
func NoResources(namespace string, allNamespaces bool) string {
	if allNamespaces {
		return "No resources found"
	}
	return "No resources found in " + namespace + " namespace."
}

// PrintTable renders t the way kubectl prints a server-side Table:
// upper-cased headers, columns aligned by a tabwriter (minwidth 6,
// tabwidth 4, padding 3; the last column unpadded), wide columns only with
// opts.Wide, and the NAMESPACE, -L and LABELS decorations. A table without
// rows prints nothing, not even its header: the caller then prints
// NoResources on stderr.
func PrintTable(w io.Writer, t *Table, opts Options) error {
	if len(t.Rows) == 0 {
		return nil
	}
	tw := newTabWriter(w)
	cols := visibleColumns(t, opts.Wide)
	withNS := opts.WithNamespace && t.Kind.Namespaced
	if !opts.NoHeaders {
		if err := writeHeader(tw, t, cols, withNS, opts); err != nil {
			return err
		}
	}
	kind := strings.ToLower(t.Kind.Kind)
	buf := make([]byte, 0, 256)
	for i := range t.Rows {
		buf = appendRow(buf[:0], &t.Rows[i], t, cols, withNS, kind, opts)
		if _, err := tw.Write(buf); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// visibleColumns lists the indexes of the columns shown.
func visibleColumns(t *Table, wide bool) []int {
	cols := make([]int, 0, len(t.Columns))
	for i, c := range t.Columns {
		if wide || c.Priority == 0 {
			cols = append(cols, i)
		}
	}
	return cols
}

func writeHeader(w io.Writer, t *Table, cols []int, withNS bool, opts Options) error {
	var names []string
	if withNS {
		names = append(names, "NAMESPACE")
	}
	for _, i := range cols {
		names = append(names, strings.ToUpper(t.Columns[i].Name))
	}
	names = append(names, labelHeaders(opts.LabelColumns)...)
	if opts.ShowLabels {
		names = append(names, "LABELS")
	}
	_, err := io.WriteString(w, strings.Join(names, "\t")+"\n")
	return err
}

// labelHeaders is formatLabelHeaders: the last /-segment, upper-cased.
func labelHeaders(keys []string) []string {
	h := make([]string, len(keys))
	for i, k := range keys {
		h[i] = strings.ToUpper(k[strings.LastIndex(k, "/")+1:])
	}
	return h
}

func appendRow(buf []byte, r *Row, t *Table, cols []int, withNS bool, kind string, opts Options) []byte {
	meta := r.Object
	if withNS {
		if meta != nil {
			buf = appendCell(buf, meta.GetObjectMeta().Namespace)
		}
		buf = append(buf, '\t')
	}
	for n, i := range cols {
		if n > 0 {
			buf = append(buf, '\t')
		}
		if i >= len(r.Cells) {
			continue
		}
		cell := cellString(r.Cells[i])
		if opts.WithKind && t.Columns[i].Format == "name" && t.Columns[i].Type == "string" {
			cell = kind + "/" + cell
		}
		buf = appendCell(buf, cell)
	}
	if meta != nil && (len(opts.LabelColumns) > 0 || opts.ShowLabels) {
		lbls := meta.GetObjectMeta().Labels
		for _, k := range opts.LabelColumns {
			buf = appendCell(append(buf, '\t'), lbls[k])
		}
		if opts.ShowLabels {
			buf = appendCell(append(buf, '\t'), labels.FormatLabels(lbls))
		}
	}
	return append(buf, '\n')
}

func cellString(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(c)
}

// appendCell appends a cell as kubectl prints it: cut at the first line
// break (newline, carriage return or form feed) with "...", and terminal
// escapes made harmless.
func appendCell(buf []byte, s string) []byte {
	if strings.IndexAny(s, "\f\n\r\x1b") < 0 {
		return append(buf, s...)
	}
	cut := false
	if i := strings.IndexAny(s, "\f\n\r"); i >= 0 {
		s, cut = s[:i], true
	}
	buf = append(buf, EscapeTerminal(s)...)
	if cut {
		buf = append(buf, "..."...)
	}
	return buf
}

// EscapeTerminal is cli-runtime's printers.EscapeTerminal: ESC becomes ^[
// and a carriage return \r, so printed values cannot drive the terminal.
func EscapeTerminal(s string) string {
	if strings.IndexAny(s, "\x1b\r") < 0 {
		return s
	}
	return strings.NewReplacer("\x1b", "^[", "\r", `\r`).Replace(s)
}
