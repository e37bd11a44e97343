package printers

import (
	"io"
	"reflect"
)

// Stream prints successive tables the way `kubectl get --watch` does: the
// header once while the columns stay the same, and columns that only
// ever widen, since kubectl's tabwriter remembers the widest cell of
// each column across flushes. Print the initial list, then one table per
// watch event. A Stream belongs to one goroutine.
type Stream struct {
	w       io.Writer
	opts    Options
	columns []Column
	header  bool // a header has been printed for columns
	widths  []int
}

// NewStream returns a Stream printing to w with opts.
func NewStream(w io.Writer, opts Options) *Stream {
	return &Stream{w: w, opts: opts}
}

// Print prints t's rows, with a header only if this is the first table
// with rows since the columns last changed.
func (s *Stream) Print(t *Table) error {
	opts := s.opts
	if s.header && (len(t.Columns) == 0 || reflect.DeepEqual(t.Columns, s.columns)) {
		opts.NoHeaders = true
	}
	if len(t.Columns) == 0 {
		t = &Table{Kind: t.Kind, Columns: s.columns, Rows: t.Rows}
	} else if !reflect.DeepEqual(t.Columns, s.columns) {
		s.columns, s.header, s.widths = t.Columns, false, nil
	}
	if len(t.Rows) == 0 {
		return nil
	}
	s.header = true
	r := newRenderer(t, opts)
	if !r.measure() {
		return r.printTabwriter(s.w)
	}
	for i, w := range s.widths {
		if i < len(r.widths) && w > r.widths[i] {
			r.widths[i] = w
		}
	}
	s.widths = r.widths
	return r.print(s.w)
}
