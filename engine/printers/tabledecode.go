package printers

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/minspace/min/engine/api"
)

// wireTableIn is a meta.k8s.io/v1 Table as it arrives: rows' objects
// decoded later, into the kind's own type.
type wireTableIn struct {
	Kind     string   `json:"kind"`
	Metadata wireMeta `json:"metadata"`
	Columns  []Column `json:"columnDefinitions"`
	Rows     []struct {
		Cells      []any           `json:"cells"`
		Conditions []RowCondition  `json:"conditions,omitempty"`
		Object     json.RawMessage `json:"object,omitempty"`
	} `json:"rows"`
}

// DecodeTable reads the meta.k8s.io/v1 Table of kind (a resource such as
// "pods") that TableJSON writes and the API server answers, so that a
// client prints it with PrintTable as the server would have: whole-number
// cells as int64, and each row's object (PartialObjectMetadata or the
// whole object) as an object of kind, which is all the NAMESPACE, LABELS
// and -L columns read. It also returns the list's resourceVersion.
func DecodeTable(data []byte, kind string) (*Table, string, error) {
	k, ok := api.KindFor(kind)
	if !ok {
		return nil, "", fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var w wireTableIn
	if err := dec.Decode(&w); err != nil {
		return nil, "", fmt.Errorf("decoding a Table of %s: %w", k.Resource, err)
	}
	if w.Kind != "Table" {
		return nil, "", fmt.Errorf("decoding a Table of %s: got kind %q", k.Resource, w.Kind)
	}
	t := &Table{Kind: k, Columns: w.Columns, Rows: make([]Row, len(w.Rows))}
	for i, r := range w.Rows {
		for j, c := range r.Cells {
			r.Cells[j] = cellValue(c)
		}
		t.Rows[i] = Row{Cells: r.Cells, Conditions: r.Conditions}
		if len(r.Object) == 0 || string(r.Object) == "null" {
			continue
		}
		obj := k.New()
		if err := json.Unmarshal(r.Object, obj); err != nil {
			return nil, "", fmt.Errorf("decoding row %d of a Table of %s: %w", i, k.Resource, err)
		}
		api.SetTypeMeta(obj) // a PartialObjectMetadata names another kind
		t.Rows[i].Object = obj
	}
	return t, w.Metadata.ResourceVersion, nil
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
