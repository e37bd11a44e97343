package printers

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/minspace/min/engine/api"
)

// Errors returned by this package, tested with errors.Is.
var (
	// ErrUnknownKind: no columns are registered for the kind asked for.
	ErrUnknownKind = errors.New("no table printer for kind")
	// ErrWrongType: an object's Go type does not match the kind asked for.
	ErrWrongType = errors.New("object of the wrong type for kind")
	// ErrOutput: a bad -o value, template or --sort-by expression; the
	// message is kubectl's.
	ErrOutput = errors.New("bad output format")
)

// Column is one column definition of a Table, as meta.k8s.io/v1
// TableColumnDefinition: Priority 0 columns are always shown, priority 1
// only with -o wide.
type Column struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Format      string `json:"format"`
	Description string `json:"description"`
	Priority    int32  `json:"priority"`
}

// RowCondition is a meta.k8s.io/v1 TableRowCondition (pods that have
// completed carry Completed=True).
type RowCondition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Row holds one object's cells, one per column (wide columns included, as
// the API server always sends them), and the object itself. Cells are
// strings, or int64 for the integer columns, as Kubernetes sends them.
// The server encodes Object as the includeObject parameter asks; it is
// not part of this type's JSON.
type Row struct {
	Cells      []any          `json:"cells"`
	Conditions []RowCondition `json:"conditions,omitempty"`
	Object     api.Object     `json:"-"`
}

// Table is the body of a meta.k8s.io/v1 Table (without kind, apiVersion
// and list metadata, which the server adds) plus the kind it shows.
type Table struct {
	Kind    api.Kind `json:"-"`
	Columns []Column `json:"columnDefinitions"`
	Rows    []Row    `json:"rows"`
}

// HumanDuration is apimachinery's duration.HumanDuration, the formatter of
// kubectl's AGE column: 59s, 2m5s, 179m, 3h5m, 47h, 7d23h, 729d, 2y3d, 8y.
func HumanDuration(d time.Duration) string { return duration.HumanDuration(d) }

// age is translateTimestampSince: "<unknown>" for an unset time.
func age(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}

// rowFunc renders one object into a row, appending its cells to cells
// (empty, with room for every column); it reports ErrWrongType.
type rowFunc func(obj api.Object, now time.Time, cells []any) (Row, error)

type tableDef struct {
	columns func() []Column
	row     rowFunc
}

func tableDefs(resource string) (tableDef, bool) {
	switch resource {
	case "pods":
		return tableDef{podColumns, podRow}, true
	case "nodes":
		return tableDef{nodeColumns, nodeRow}, true
	case "namespaces":
		return tableDef{namespaceColumns, namespaceRow}, true
	case "replicationcontrollers":
		return tableDef{rcColumns, rcRow}, true
	case "events":
		return tableDef{eventColumns, eventRow}, true
	}
	return tableDef{}, false
}

// TableFor renders objs as the Table the API server returns for kind
// (a resource such as "pods", or any name api.KindFor knows: "po",
// "Pod"). Rows keep the order of objs. now is the time ages count to.
func TableFor(kind string, objs []api.Object, now time.Time) (*Table, error) {
	k, ok := api.KindFor(kind)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	def, ok := tableDefs(k.Resource)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	t := &Table{Kind: k, Columns: def.columns(), Rows: make([]Row, len(objs))}
	n := len(t.Columns)
	slab := make([]any, len(objs)*n) // one allocation for every row's cells
	for i, obj := range objs {
		row, err := def.row(obj, now, slab[i*n:i*n:(i+1)*n])
		if err != nil {
			return nil, err
		}
		t.Rows[i] = row
	}
	return t, nil
}

func wrongType(want string, obj api.Object) error {
	return fmt.Errorf("%w %s: %T", ErrWrongType, want, obj)
}
