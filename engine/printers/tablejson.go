package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/minspace/min/engine/api"
)

// includeObject values of a Table request (metav1.IncludeObjectPolicy).
const (
	IncludeNone     = "None"
	IncludeMetadata = "Metadata" // the default
	IncludeObject   = "Object"
)

// wireTable is meta.k8s.io/v1 Table in Kubernetes' field order.
type wireTable struct {
	Kind       string    `json:"kind"`
	APIVersion string    `json:"apiVersion"`
	Metadata   wireMeta  `json:"metadata"`
	Columns    []Column  `json:"columnDefinitions"`
	Rows       []wireRow `json:"rows"` // last: TableEncoder writes them in its place
}

type wireMeta struct {
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

type wireRow struct {
	Cells      []any          `json:"cells"`
	Conditions []RowCondition `json:"conditions,omitempty"`
	Object     any            `json:"object,omitempty"` // encoded in place: no second pass over its bytes
}

// partialObjectMetadata is what a row carries with includeObject=Metadata.
type partialObjectMetadata struct {
	Kind       string          `json:"kind"`
	APIVersion string          `json:"apiVersion"`
	Metadata   *api.ObjectMeta `json:"metadata"`
}

// TableJSON encodes t as the meta.k8s.io/v1 Table the API server answers
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` with: the list's
// resourceVersion, every column (kubectl hides the wide ones itself), and
// each row's object as includeObject asks: "None", "Metadata" (also for
// "": a PartialObjectMetadata, which kubectl reads namespaces and labels
// from) or "Object". A bad includeObject is an api.ErrBadRequest.
func TableJSON(t *Table, resourceVersion, includeObject string) ([]byte, error) {
	var b bytes.Buffer
	e, err := NewTableEncoder(&b, t.Columns, resourceVersion, includeObject)
	if err == nil {
		err = e.Rows(t.Rows)
	}
	if err == nil {
		err = e.Close()
	}
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TableEncoder writes a Table as TableJSON does, a batch of rows at a
// time, so that a server streams a long list: the client decodes the
// first rows while the last are still being made, and neither side holds
// the whole Table's JSON.
type TableEncoder struct {
	w       io.Writer
	enc     *json.Encoder // on w; each row ends in a newline
	include string
	rows    int // written so far
}

// NewTableEncoder checks includeObject (as TableJSON) and writes the
// Table's head: kind, resourceVersion and columns (nil writes null, as in
// a watch's later events). Rows and Close write the rest.
func NewTableEncoder(w io.Writer, columns []Column, resourceVersion, includeObject string) (*TableEncoder, error) {
	switch includeObject {
	case "", IncludeNone, IncludeMetadata, IncludeObject:
	default:
		errs := field.ErrorList{field.Invalid(field.NewPath("includeObject"), includeObject, "must be 'Metadata', 'Object', 'None', or empty")}
		return nil, api.NewBadRequest(fmt.Sprintf("Invalid table options: %v", errs.ToAggregate()))
	}
	head, err := json.Marshal(wireTable{Kind: "Table", APIVersion: "meta.k8s.io/v1",
		Metadata: wireMeta{ResourceVersion: resourceVersion}, Columns: columns})
	if err != nil {
		return nil, err
	}
	// head ends in "rows":null}; the rows array goes in its place.
	head = append(bytes.TrimSuffix(head, []byte("null}")), '[')
	if _, err := w.Write(head); err != nil {
		return nil, err
	}
	return &TableEncoder{w: w, enc: json.NewEncoder(w), include: includeObject}, nil
}

// Rows writes rows after those already written, each encoded straight
// into the writer (a json.Encoder reuses its buffer; json.Marshal of the
// batch made and copied a new one each time, the most of the engine's
// allocations for a long list).
func (e *TableEncoder) Rows(rows []Row) error {
	for _, r := range rows {
		obj, err := rowObject(r.Object, e.include)
		if err != nil {
			return err
		}
		if e.rows > 0 {
			if _, err := io.WriteString(e.w, ","); err != nil {
				return err
			}
		}
		if err := e.enc.Encode(wireRow{Cells: r.Cells, Conditions: r.Conditions, Object: obj}); err != nil {
			return err
		}
		e.rows++
	}
	return nil
}

// Close ends the rows and the Table.
func (e *TableEncoder) Close() error {
	_, err := io.WriteString(e.w, "]}")
	return err
}

func rowObject(obj api.Object, include string) (any, error) {
	if obj == nil || include == IncludeNone {
		return nil, nil
	}
	if include == IncludeObject {
		c := obj.DeepCopyObject() // objects may be shared: set apiVersion and kind on a copy
		api.SetTypeMeta(c)
		return c, nil
	}
	return &partialObjectMetadata{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1", Metadata: obj.GetObjectMeta()}, nil
}
