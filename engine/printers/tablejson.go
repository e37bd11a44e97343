package printers

import (
	"encoding/json"
	"fmt"

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
	Rows       []wireRow `json:"rows"`
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
	switch includeObject {
	case "", IncludeNone, IncludeMetadata, IncludeObject:
	default:
		errs := field.ErrorList{field.Invalid(field.NewPath("includeObject"), includeObject, "must be 'Metadata', 'Object', 'None', or empty")}
		return nil, api.NewBadRequest(fmt.Sprintf("Invalid table options: %v", errs.ToAggregate()))
	}
	w := wireTable{Kind: "Table", APIVersion: "meta.k8s.io/v1", Metadata: wireMeta{ResourceVersion: resourceVersion},
		Columns: t.Columns, Rows: make([]wireRow, len(t.Rows))}
	for i, r := range t.Rows {
		obj, err := rowObject(r.Object, includeObject)
		if err != nil {
			return nil, err
		}
		w.Rows[i] = wireRow{Cells: r.Cells, Conditions: r.Conditions, Object: obj}
	}
	return json.Marshal(&w)
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
