package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/printers"
	"github.com/minspace/min/engine/server"
)

// TestTableStreamsInBatches: a Table longer than one batch (1,000 rows)
// arrives whole, in the list's order, with the list's resourceVersion, as
// one valid document; so does an empty one.
func TestTableStreamsInBatches(t *testing.T) {
	s := newServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	get := func(path string) (*printers.Table, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept", tableAccept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json;as=Table;v=v1;g=meta.k8s.io" {
			t.Fatalf("%s: %s %q", path, resp.Status, resp.Header.Get("Content-Type"))
		}
		tbl, rv, err := printers.DecodeTable(resp.Body, "pods", "")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return tbl, rv
	}
	if tbl, _ := get("/api/v1/namespaces/default/pods"); len(tbl.Rows) != 0 || len(tbl.Columns) == 0 {
		t.Fatalf("empty list: %d rows, %d columns", len(tbl.Rows), len(tbl.Columns))
	}
	const n = 2345
	for i := range n {
		body := strings.Replace(pod, `"web"`, fmt.Sprintf(`"web-%04d"`, i), 1)
		if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", body); a.code != 201 {
			t.Fatalf("create %d: %s", i, a.raw)
		}
	}
	list := do(t, s, "GET", "/api/v1/namespaces/default/pods", "", "")
	tbl, rv := get("/api/v1/namespaces/default/pods")
	if len(tbl.Rows) != n {
		t.Fatalf("got %d rows, want %d", len(tbl.Rows), n)
	}
	for i, row := range tbl.Rows {
		want := fmt.Sprintf("web-%04d", i)
		if row.Cells[0] != want || row.Object.GetObjectMeta().Namespace != "default" {
			t.Fatalf("row %d: %v in %q, want %s in default", i, row.Cells[0], row.Object.GetObjectMeta().Namespace, want)
		}
	}
	before, _ := strconv.Atoi(list.body["metadata"].(map[string]any)["resourceVersion"].(string))
	if got, err := strconv.Atoi(rv); err != nil || got < before || before == 0 {
		t.Errorf("table resourceVersion %q, the list before it had %d", rv, before)
	}
}

// badList lists 1,500 copies of the pods it holds and then a node, which
// a Table of pods cannot show.
type badList struct{ *engine.Engine }

func (b badList) ListShared(ctx context.Context, resource string, opts engine.ListOptions) (*engine.List, error) {
	l, err := b.Engine.ListShared(ctx, resource, opts)
	if err != nil || len(l.Items) == 0 {
		return l, err
	}
	items := make([]api.Object, 0, 1501)
	for len(items) < 1500 {
		items = append(items, l.Items[0])
	}
	return &engine.List{ResourceVersion: l.ResourceVersion, Items: append(items, &api.Node{})}, nil
}

// An error after the first batch went out cuts the response off: the
// client sees a broken Table, never a short one that looks whole.
func TestTableStreamCutOnError(t *testing.T) {
	e := enginetest.InProcess(t)
	s := server.New(badList{e}, server.Options{Log: log.New(io.Discard, "", 0)})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", pod); a.code != 201 {
		t.Fatalf("create: %s", a.raw)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/namespaces/default/pods", nil)
	req.Header.Set("Accept", tableAccept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %s: the first batch should have gone out", resp.Status)
	}
	if tbl, _, err := printers.DecodeTable(resp.Body, "pods", ""); err == nil {
		t.Fatalf("decoded %d rows from a cut-off Table without an error", len(tbl.Rows))
	}
}
