package printers

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/minspace/min/engine/api"
)

// wireRowIn is one row as it arrives; of its object only the name,
// namespace and labels are decoded (the rest is skipped), as that is all
// PrintTable reads.
type wireRowIn struct {
	Cells      []any          `json:"cells"`
	Conditions []RowCondition `json:"conditions,omitempty"`
	Object     *rowObjectIn   `json:"object,omitempty"`
}

// rowObjectIn is the part of a row's object that DecodeTable keeps.
// Decoding the whole ObjectMeta (times, owners, managed fields) was most
// of a 100,000-row `get pods -A`'s client time, for fields no column shows.
type rowObjectIn struct {
	Metadata struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
}

// bareRowIn is a row of a Table asked for without objects. encoding/json
// prepares a type's whole graph on its first use (for wireRowIn that is
// ObjectMeta's dozens of fields), a cost that a short `minish get pods`,
// whose rows carry no objects, need not pay.
type bareRowIn struct {
	Cells      []any          `json:"cells"`
	Conditions []RowCondition `json:"conditions,omitempty"`
}

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
// labels, all that the NAMESPACE, LABELS and -L columns read. It reads the rows one at a
// time, so a long table is never held twice. It also returns the list's
// resourceVersion. includeObject is what the Table was asked for with, as
// for TableJSON: with "None" the rows' objects, if any, are skipped.
func DecodeTable(r io.Reader, kind, includeObject string) (*Table, string, error) {
	k, ok := api.KindFor(kind)
	if !ok {
		return nil, "", fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	d := &tableDecoder{dec: json.NewDecoder(r), t: &Table{Kind: k}, bare: includeObject == IncludeNone}
	d.dec.UseNumber()
	if err := d.decode(); err != nil {
		return nil, "", fmt.Errorf("decoding a Table of %s: %w", k.Resource, err)
	}
	return d.t, d.rv, nil
}

type tableDecoder struct {
	dec  *json.Decoder
	t    *Table
	rv   string
	kind string
	bare bool // decode rows without their objects
}

func (d *tableDecoder) decode() error {
	if err := d.delim('{'); err != nil {
		return err
	}
	for d.dec.More() {
		key, err := d.dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "kind":
			err = d.dec.Decode(&d.kind)
		case "metadata":
			var m wireMeta
			err = d.dec.Decode(&m)
			d.rv = m.ResourceVersion
		case "columnDefinitions":
			err = d.dec.Decode(&d.t.Columns)
		case "rows":
			err = d.rows()
		default:
			var skip json.RawMessage
			err = d.dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	if d.kind != "Table" {
		return fmt.Errorf("got kind %q", d.kind)
	}
	return d.delim('}')
}

// rows reads the rows array (or null) one row at a time.
func (d *tableDecoder) rows() error {
	tok, err := d.dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("rows: want an array, got %v", tok)
	}
	var slab []any // cells of many rows in one allocation, as TableFor does
	for i := 0; d.dec.More(); i++ {
		n := max(len(d.t.Columns), 1)
		if len(slab) < n {
			slab = make([]any, 256*n)
		}
		in := wireRowIn{Cells: slab[:0:n]} // json appends into the capacity
		slab = slab[n:]
		if err := d.decodeRow(&in); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		for j, c := range in.Cells {
			in.Cells[j] = cellValue(c)
		}
		row := Row{Cells: in.Cells, Conditions: in.Conditions}
		if o := in.Object; o != nil {
			row.Object = &PartialObject{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: d.t.Kind.Kind},
				Metadata: api.ObjectMeta{Name: o.Metadata.Name, Namespace: o.Metadata.Namespace, Labels: o.Metadata.Labels}}
		}
		d.t.Rows = append(d.t.Rows, row)
	}
	return d.delim(']')
}

// decodeRow reads one row into in, through bareRowIn when objects are
// not wanted.
func (d *tableDecoder) decodeRow(in *wireRowIn) error {
	if !d.bare {
		return d.dec.Decode(in)
	}
	bare := bareRowIn{Cells: in.Cells}
	err := d.dec.Decode(&bare)
	in.Cells, in.Conditions = bare.Cells, bare.Conditions
	return err
}

func (d *tableDecoder) delim(want json.Delim) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want %v, got %v", want, tok)
	}
	return nil
}

// cellValue turns a decoded number into int64 when it is whole, as the
// server's integer columns are, else float64.
func cellValue(c any) any {
	n, ok := c.(json.Number)
	if !ok {
		return c
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}
