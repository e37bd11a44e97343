package printers

import (
	"fmt"
	"io"

	"github.com/minspace/min/engine/api"
)

// PartialObject is a row's object as DecodeTable reads it: the table's
// kind and, of the metadata that Kubernetes' PartialObjectMetadata
// carries, the name, namespace and labels. It is what a client needs to
// print the row, at a fraction of a whole object's memory and decoding
// time (a Table may hold 100,000 rows).
type PartialObject struct {
	api.TypeMeta
	Metadata api.ObjectMeta `json:"metadata"`
}

// GetTypeMeta implements api.Object.
func (p *PartialObject) GetTypeMeta() *api.TypeMeta { return &p.TypeMeta }

// GetObjectMeta implements api.Object.
func (p *PartialObject) GetObjectMeta() *api.ObjectMeta { return &p.Metadata }

// DeepCopyObject implements api.Object.
func (p *PartialObject) DeepCopyObject() api.Object {
	return &PartialObject{TypeMeta: p.TypeMeta, Metadata: *p.Metadata.DeepCopy()}
}

// DecodeTable reads the meta.k8s.io/v1 Table of kind (a resource such as
// "pods") that TableJSON writes and the API server answers, so that a
// client prints it with PrintTable as the server would have: whole-number
// cells as int64, and each row's object (PartialObjectMetadata or the
// whole object) as a *PartialObject of kind with the name, namespace and
// labels, all that the NAMESPACE, LABELS and -L columns read. It reads r
// as it arrives, a row at a time (tablescan.go), so a long table is never
// held twice and a streamed one is decoded while the rest is on its way.
// It also returns the list's resourceVersion. includeObject is what the
// Table was asked for with, as for TableJSON: with "None" the rows'
// objects, if any, are skipped.
func DecodeTable(r io.Reader, kind, includeObject string) (*Table, string, error) {
	k, ok := api.KindFor(kind)
	if !ok {
		return nil, "", fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	d := &tableDecoder{in: input{r: r}, t: &Table{Kind: k}, bare: includeObject == IncludeNone}
	if err := d.decode(); err != nil {
		return nil, "", fmt.Errorf("decoding a Table of %s: %w", k.Resource, err)
	}
	return d.t, d.rv, nil
}

type tableDecoder struct {
	in   input
	t    *Table
	rv   string
	kind string
	bare bool // decode rows without their objects
}

// decode reads the Table object: its kind, resourceVersion, columns and
// rows; other fields are skipped.
func (d *tableDecoder) decode() error {
	err := d.in.members('{', '}', func() error {
		var key string
		err := d.in.step(func(p *rowParser) (err error) {
			key, err = p.memberKey()
			return err
		})
		if err != nil {
			return err
		}
		return d.member(key)
	})
	if err != nil {
		return err
	}
	if d.kind != "Table" {
		return fmt.Errorf("got kind %q", d.kind)
	}
	return nil
}

// member reads the value of the Table's member key.
func (d *tableDecoder) member(key string) error {
	switch key {
	case "kind":
		return d.in.step(func(p *rowParser) (err error) {
			d.kind, err = p.str("kind")
			return err
		})
	case "metadata":
		var m wireMeta
		err := d.in.step(func(p *rowParser) error { return p.unmarshal(&m) })
		d.rv = m.ResourceVersion
		return err
	case "columnDefinitions":
		return d.in.step(func(p *rowParser) error { return p.unmarshal(&d.t.Columns) })
	case "rows":
		return d.rows()
	}
	return d.in.step(func(p *rowParser) error { return p.skip() })
}

// rows reads the rows array (or null) one row at a time.
func (d *tableDecoder) rows() error {
	null := false
	err := d.in.step(func(p *rowParser) error {
		c, err := p.next()
		if null = c == 'n'; null {
			return p.skip()
		}
		return err
	})
	if err != nil || null {
		return err
	}
	var slab []any // cells of many rows in one allocation, as TableFor does
	return d.in.members('[', ']', func() error {
		n := max(len(d.t.Columns), 1)
		if len(slab) < n {
			slab = make([]any, 256*n)
		}
		var in parsedRow
		err := d.in.step(func(p *rowParser) (err error) {
			in, err = p.row(slab[:0:n], d.bare) // appending past n reallocates
			return err
		})
		if err != nil {
			return fmt.Errorf("row %d: %w", len(d.t.Rows), err)
		}
		slab = slab[n:]
		row := Row{Cells: in.cells, Conditions: in.conditions}
		if in.hasObject {
			row.Object = &PartialObject{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: d.t.Kind.Kind},
				Metadata: api.ObjectMeta{Name: in.name, Namespace: in.ns, Labels: in.labels}}
		}
		d.t.Rows = append(d.t.Rows, row)
		return nil
	})
}
