package bindings

import (
	"bytes"
	"context"
	"strings"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/printers"
)

// GetTable is what `kubectl get TYPE` prints for a list without -o (or
// with -o wide): the resource's objects that lo selects as kubectl's
// table, with po's decorations, and the number of rows. A list without
// rows gives "" and 0: the caller prints printers.NoResources on stderr.
// printers.table (min.kubectl's get) and minish's quick get
// (cmd/internal/shell) both print through it, so they cannot differ.
func GetTable(ctx context.Context, eng cluster.Interface, resource string, lo cluster.ListOptions, po printers.Options) (text string, rows int, err error) {
	t, err := listTable(ctx, eng, resource, lo, po)
	if err != nil {
		return "", 0, err
	}
	var b bytes.Buffer
	if err := printers.PrintTable(&b, t, po); err != nil {
		return "", 0, err
	}
	return b.String(), len(t.Rows), nil
}

// listTable is the list as a Table. Through the daemon the engine
// computes the rows (a server-side Table, as kubectl asks for), so a long
// list costs the client its rows only; in-process they are computed here.
func listTable(ctx context.Context, eng cluster.Interface, resource string, lo cluster.ListOptions, po printers.Options) (*printers.Table, error) {
	if tl, ok := eng.(tableLister); ok {
		include := printers.IncludeNone // the cells are all a plain table prints
		if po.WithNamespace || po.ShowLabels || len(po.LabelColumns) > 0 {
			include = printers.IncludeMetadata
		}
		return tl.ListTable(ctx, resource, lo, include)
	}
	list := eng.List
	if sl, ok := eng.(sharedLister); ok {
		list = sl.ListShared // the rows only read the objects
	}
	l, err := list(ctx, resource, lo)
	if err != nil {
		return nil, err
	}
	return printers.TableFor(resource, l.Items, printers.Now())
}

// ResourceKind resolves a type name as kubectl does: "po", "pods", "Pod",
// "PODS".
func ResourceKind(word string) (api.Kind, bool) {
	if k, ok := api.KindFor(strings.ToLower(word)); ok {
		return k, true
	}
	return api.KindFor(word)
}

// tableLister is an engine that answers a list with its server-side
// Table (engine/client): the rows travel instead of the objects.
type tableLister interface {
	ListTable(ctx context.Context, resource string, opts cluster.ListOptions, includeObject string) (*printers.Table, error)
}

// sharedLister is an in-process engine that lists its own objects
// without copying them, for readers that never change them.
type sharedLister interface {
	ListShared(ctx context.Context, resource string, opts cluster.ListOptions) (*cluster.List, error)
}
