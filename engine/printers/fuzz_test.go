package printers

import (
	"strings"
	"testing"

	"github.com/minspace/min/engine/api"
)

// FuzzRenderer: whatever the cells hold, PrintTable prints what
// text/tabwriter with kubectl's settings prints for the same cells.
func FuzzRenderer(f *testing.F) {
	f.Add("kubia", "Running", "5m", "x", false, false)
	f.Add("", "", "", "", true, true)
	f.Add("ünï\tcode", "a\nb", "\x1b[31m", "\v\f\r", false, true)
	f.Add("a very long cell that is wider than the others", "b", "c", "d", true, false)
	f.Fuzz(func(t *testing.T, a, b, c, d string, wide, noHeaders bool) {
		kind, _ := api.KindFor("pods")
		tbl := &Table{Kind: kind, Columns: []Column{{Name: "Name", Type: "string", Format: "name"}, {Name: "B"}, {Name: "C", Priority: 1}, {Name: "Last"}},
			Rows: []Row{{Cells: []any{a, b, c, d}}, {Cells: []any{d, c, b, a}}, {Cells: []any{"x", nil, int64(7), ""}}}}
		opts := Options{Wide: wide, NoHeaders: noHeaders, WithNamespace: true, LabelColumns: []string{"app"}, ShowLabels: true}
		var fast, slow strings.Builder
		if err := PrintTable(&fast, tbl, opts); err != nil {
			t.Fatal(err)
		}
		if err := newRenderer(tbl, opts).printTabwriter(&slow); err != nil {
			t.Fatal(err)
		}
		if fast.String() != slow.String() {
			t.Errorf("renderer and tabwriter differ:\n%q\n%q", fast.String(), slow.String())
		}
	})
}
