package printers

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
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
// upper-cased headers, columns aligned as kubectl's tabwriter aligns them
// (minwidth 6, tabwidth 4, padding 3; the last column unpadded), wide
// columns only with opts.Wide, and the NAMESPACE, -L and LABELS
// decorations. A table without rows prints nothing, not even its header:
// the caller then prints NoResources on stderr.
func PrintTable(w io.Writer, t *Table, opts Options) error {
	if len(t.Rows) == 0 {
		return nil
	}
	r := newRenderer(t, opts)
	if !r.measure() {
		return r.printTabwriter(w)
	}
	return r.print(w)
}

// renderer renders a table in two passes over its rows: one measures the
// columns, one writes. Every line has the same cells (kubectl fills
// decorations of rows without an object with empty cells), so each column
// is one tabwriter column block and its width is the widest cell plus the
// padding, at least the minimum width: the result is what text/tabwriter
// prints, without buffering the whole text.
type renderer struct {
	t      *Table
	opts   Options
	cols   []int
	withNS bool
	kind   string
	widths []int
	cells  []string
}

func newRenderer(t *Table, opts Options) *renderer {
	r := &renderer{t: t, opts: opts, cols: visibleColumns(t, opts.Wide),
		withNS: opts.WithNamespace && t.Kind.Namespaced, kind: strings.ToLower(t.Kind.Kind)}
	return r
}

// header returns the header cells.
func (r *renderer) header() []string {
	var names []string
	if r.withNS {
		names = append(names, "NAMESPACE")
	}
	for _, i := range r.cols {
		names = append(names, strings.ToUpper(r.t.Columns[i].Name))
	}
	names = append(names, labelHeaders(r.opts.LabelColumns)...)
	if r.opts.ShowLabels {
		names = append(names, "LABELS")
	}
	return names
}

// row returns the cells of row i as printed, reusing r.cells.
func (r *renderer) row(i int) []string {
	row := &r.t.Rows[i]
	cells := r.cells[:0]
	var meta *api.ObjectMeta
	if row.Object != nil {
		meta = row.Object.GetObjectMeta()
	}
	if r.withNS {
		ns := ""
		if meta != nil {
			ns = meta.Namespace
		}
		cells = append(cells, printable(ns))
	}
	for _, c := range r.cols {
		cell := ""
		if c < len(row.Cells) {
			cell = cellString(row.Cells[c])
		}
		if r.opts.WithKind && r.t.Columns[c].Format == "name" && r.t.Columns[c].Type == "string" {
			cell = r.kind + "/" + cell
		}
		cells = append(cells, printable(cell))
	}
	var lbls map[string]string
	if meta != nil {
		lbls = meta.Labels
	}
	for _, k := range r.opts.LabelColumns {
		cells = append(cells, printable(lbls[k]))
	}
	if r.opts.ShowLabels {
		cells = append(cells, printable(labels.FormatLabels(lbls)))
	}
	r.cells = cells
	return cells
}

// measure computes the column widths; it reports false when a cell holds
// a tab or vertical tab, which would make tabwriter see other cells, or
// tabwriter's escape byte 0xff, which makes it pass text through as is.
func (r *renderer) measure() bool {
	var lines [][]string
	if !r.opts.NoHeaders {
		lines = append(lines, r.header())
	}
	r.widths = make([]int, len(r.header()))
	note := func(cells []string) bool {
		for i, c := range cells {
			if !plain(c) && (strings.ContainsAny(c, "\t\v") || strings.IndexByte(c, tabEscape) >= 0) {
				return false
			}
			if n := utf8.RuneCountInString(c) + tabPadding; n > r.widths[i] {
				r.widths[i] = n
			}
		}
		return true
	}
	for _, l := range lines {
		if !note(l) {
			return false
		}
	}
	for i := range r.t.Rows {
		if !note(r.row(i)) {
			return false
		}
	}
	for i := range r.widths {
		r.widths[i] = max(r.widths[i], tabMinWidth)
	}
	return true
}

// print writes the lines, padding every cell but the last.
func (r *renderer) print(w io.Writer) error {
	buf := make([]byte, 0, 64<<10)
	line := func(cells []string) error {
		for i, c := range cells {
			buf = append(buf, c...)
			if i < len(cells)-1 {
				for n := r.widths[i] - utf8.RuneCountInString(c); n > 0; n-- {
					buf = append(buf, tabPadChar)
				}
			}
		}
		buf = append(buf, '\n')
		if len(buf) < 60<<10 {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	if !r.opts.NoHeaders {
		if err := line(r.header()); err != nil {
			return err
		}
	}
	for i := range r.t.Rows {
		if err := line(r.row(i)); err != nil {
			return err
		}
	}
	_, err := w.Write(buf)
	return err
}

// printTabwriter is the general path through text/tabwriter, for cells
// that hold tabs.
func (r *renderer) printTabwriter(w io.Writer) error {
	tw := newTabWriter(w)
	if !r.opts.NoHeaders {
		if _, err := io.WriteString(tw, strings.Join(r.header(), "\t")+"\n"); err != nil {
			return err
		}
	}
	for i := range r.t.Rows {
		if _, err := io.WriteString(tw, strings.Join(r.row(i), "\t")+"\n"); err != nil {
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

// labelHeaders is formatLabelHeaders: the last /-segment, upper-cased.
func labelHeaders(keys []string) []string {
	h := make([]string, len(keys))
	for i, k := range keys {
		h[i] = strings.ToUpper(k[strings.LastIndex(k, "/")+1:])
	}
	return h
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

// printable is a cell as kubectl prints it: cut at the first line break
// (newline, carriage return or form feed) with "...", and terminal
// escapes made harmless.
func printable(s string) string {
	if plain(s) || strings.IndexAny(s, "\f\n\r\x1b") < 0 {
		return s
	}
	if i := strings.IndexAny(s, "\f\n\r"); i >= 0 {
		return EscapeTerminal(s[:i]) + "..."
	}
	return EscapeTerminal(s)
}

// EscapeTerminal is cli-runtime's printers.EscapeTerminal: ESC becomes ^[
// and a carriage return \r, so printed values cannot drive the terminal.
func EscapeTerminal(s string) string {
	if strings.IndexAny(s, "\x1b\r") < 0 {
		return s
	}
	return strings.NewReplacer("\x1b", "^[", "\r", `\r`).Replace(s)
}

// tabEscape is text/tabwriter's Escape byte.
const tabEscape = 0xff

// plain reports that s has no control characters and no 0xff byte (the
// common case, which needs no escaping and makes no extra tabwriter cells).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == tabEscape {
			return false
		}
	}
	return true
}
