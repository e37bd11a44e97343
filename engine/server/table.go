package server

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/printers"
)

// tableContentType is what the apiserver labels a Table answer with.
const tableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

// wantsTable reports whether the request's Accept header prefers a
// meta.k8s.io Table (kubectl get without -o, or -o wide) to the object:
// the first entry Min can serve decides, as in the apiserver's content
// negotiation.
func wantsTable(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if !strings.Contains(accept, "as=Table") {
		return false
	}
	for _, entry := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(entry))
		if err != nil {
			continue
		}
		if mt != "application/json" && mt != "*/*" && mt != "application/*" {
			continue // protobuf, yaml: kubectl lists JSON after them
		}
		if params["as"] == "" {
			return false
		}
		if params["as"] == "Table" && params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1") {
			return true
		}
	}
	return false
}

// tableOf renders objs as the Table JSON of resource, with the row objects
// includeObject asks for. withColumns false leaves the column definitions
// out (null), as in every watch event after the first.
func tableOf(resource string, objs []api.Object, rv, includeObject string, withColumns bool) ([]byte, error) {
	// printers.Now: $MIN_NOW pins ages for golden tests, as minish's own tables.
	t, err := printers.TableFor(resource, objs, printers.Now())
	if err != nil {
		return nil, err
	}
	if !withColumns {
		t.Columns = nil
	}
	return printers.TableJSON(t, rv, includeObject)
}

// tableBatch is how many rows streamTable makes and sends at a time: big
// enough that a batch's JSON (about 0.5 MB of pods with metadata) is
// cheap to write, small enough that the client starts decoding early.
const tableBatch = 1000

// streamTable answers a list with its Table, a batch of rows at a time:
// the client decodes the first rows while the engine makes the next (for
// 100,000 pods the two took 0.5 s and 1.2 s one after the other), and
// the engine never holds the whole answer's JSON. Each batch is made
// within a list slot, so lists still take turns for the CPU (fairness.go);
// the write to the client is outside it. An error after the first batch
// has gone out can no longer be a Status: the response is cut off, which
// the client sees as a truncated Table.
func (s *Server) streamTable(w http.ResponseWriter, r *http.Request, t target, opts engine.ListOptions) {
	release, err := s.lists.take(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	// A Table only reads the objects (includeObject=Object copies before
	// it sets their kind), and stored objects are never changed in place.
	l, err := s.listForReading(r.Context(), t.kind.Resource, opts)
	release()
	if err != nil {
		writeError(w, err)
		return
	}
	ts := &tableStream{s: s, ctx: r.Context(), resource: t.kind.Resource, list: l,
		include: r.URL.Query().Get("includeObject"), now: printers.Now()} // $MIN_NOW pins ages for golden tests
	for start := 0; start == 0 || start < len(l.Items); start += tableBatch {
		if err := ts.batch(start); err != nil {
			if start == 0 {
				writeError(w, err)
				return
			}
			panic(http.ErrAbortHandler)
		}
		if start == 0 {
			w.Header().Set("Content-Type", tableContentType)
			w.WriteHeader(http.StatusOK)
		}
		if _, err := w.Write(ts.buf.Bytes()); err != nil {
			return // the client went away
		}
		ts.buf.Reset()
		http.NewResponseController(w).Flush()
	}
}

// tableStream is one Table answer being made.
type tableStream struct {
	s        *Server
	ctx      context.Context
	resource string
	list     *engine.List
	include  string
	now      time.Time
	buf      bytes.Buffer
	enc      *printers.TableEncoder // made with the first batch
}

// batch encodes into buf the rows of up to tableBatch items from start,
// within a list slot: after the Table's head for the first batch, and
// followed by its end for the last.
func (ts *tableStream) batch(start int) error {
	release, err := ts.s.lists.take(ts.ctx)
	if err != nil {
		return err
	}
	defer release()
	end := min(start+tableBatch, len(ts.list.Items))
	t, err := printers.TableFor(ts.resource, ts.list.Items[start:end], ts.now)
	if err != nil {
		return err
	}
	if ts.enc == nil {
		if ts.enc, err = printers.NewTableEncoder(&ts.buf, t.Columns, ts.list.ResourceVersion, ts.include); err != nil {
			return err
		}
	}
	if err := ts.enc.Rows(t.Rows); err != nil {
		return err
	}
	if end < len(ts.list.Items) {
		return nil
	}
	if err := ts.enc.Close(); err != nil {
		return err
	}
	return ts.buf.WriteByte('\n')
}

// writeTable writes a Table answer.
func writeTable(w http.ResponseWriter, b []byte) {
	writeBytes(w, http.StatusOK, tableContentType, b)
}
