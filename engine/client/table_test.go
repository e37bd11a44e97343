package client_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/printers"
	"github.com/minspace/min/engine/server"
)

// ListTable's rows print as the table made from the objects themselves.
func TestListTable(t *testing.T) {
	c, e := serve(t, server.Options{}, client.Options{})
	ctx := context.Background()
	for _, name := range []string{"web", "db"} {
		if _, err := e.Create(ctx, enginetest.Pod("", name, map[string]string{"app": name}), cluster.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.List(ctx, "pods", cluster.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := printers.TableFor("pods", list.Items, printers.Now())
	if err != nil {
		t.Fatal(err)
	}
	opts := printers.Options{WithNamespace: true, ShowLabels: true, Wide: true}
	for _, include := range []string{printers.IncludeMetadata, printers.IncludeObject} {
		got, err := c.ListTable(ctx, "pods", cluster.ListOptions{}, include)
		if err != nil {
			t.Fatal(err)
		}
		var want, have bytes.Buffer
		printers.PrintTable(&want, direct, opts)
		printers.PrintTable(&have, got, opts)
		if have.String() != want.String() {
			t.Errorf("includeObject=%s prints\n%s\nwant\n%s", include, have.String(), want.String())
		}
	}
	none, err := c.ListTable(ctx, "pods", cluster.ListOptions{LabelSelector: "app=web"}, printers.IncludeNone)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Rows) != 1 || none.Rows[0].Cells[0] != "web" || none.Rows[0].Object != nil {
		t.Fatalf("includeObject=None, app=web: rows %+v", none.Rows)
	}
}

func TestListTableErrors(t *testing.T) {
	c, _ := serve(t, server.Options{}, client.Options{})
	ctx := context.Background()
	if _, err := c.ListTable(ctx, "pods", cluster.ListOptions{LabelSelector: "a in"}, ""); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("bad selector: %v", err)
	}
	if _, err := c.ListTable(ctx, "pods", cluster.ListOptions{}, "Everything"); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("bad includeObject: %v", err)
	}
	if _, err := c.ListTable(ctx, "widgets", cluster.ListOptions{}, ""); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("unknown resource: %v", err)
	}
}
