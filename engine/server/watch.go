package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/printers"
)

// watch streams events as the apiserver does: 200, then one
// {"type":…,"object":…} line per event, flushed. With resourceVersion
// "" or "0" it first sends the current objects as ADDED; any other
// resourceVersion continues after that revision, or fails with 410
// Expired when it has left the history. sendInitialEvents overrides that
// (startOf): true sends the current objects at any resourceVersion and
// closes them with the k8s.io/initial-events-end bookmark client-go's
// watch-list informers wait for; false watches from now.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, t target) {
	q := r.URL.Query()
	opts, err := listOptions(q, t)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := s.streamContext(r.Context())
	defer cancel()
	if d := q.Get("timeoutSeconds"); d != "" {
		ctx, cancel = withTimeoutSeconds(ctx, d)
		defer cancel()
	}
	start, err := startOf(q)
	if err != nil {
		writeError(w, err)
		return
	}
	var initial []api.Object
	if start.initial {
		l, err := s.initialList(ctx, t, opts)
		if err == nil && start.endBookmark {
			err = checkNotOlderThan(opts.ResourceVersion, l.ResourceVersion)
		}
		if err != nil {
			writeError(w, err)
			return
		}
		// The live events continue right after the snapshot: no gap, no
		// duplicate.
		initial, opts.ResourceVersion = l.Items, l.ResourceVersion
	} else if opts.ResourceVersion == "0" {
		opts.ResourceVersion = "" // sendInitialEvents=false: from now
	}
	ch, err := s.eng.Watch(ctx, t.kind.Resource, opts)
	if err != nil {
		writeError(w, err)
		return
	}
	ct, write := "application/json", eventWriter(w)
	if wantsTable(r) {
		if _, err := printers.TableJSON(&printers.Table{}, "", q.Get("includeObject")); err != nil {
			writeError(w, err) // a bad includeObject, before the stream starts
			return
		}
		ct, write = tableContentType, tableEventWriter(w, t.kind.Resource, q.Get("includeObject"))
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
	flush(w) // the watch is registered: the client may go on
	var bm *bookmarker
	if q.Get("allowWatchBookmarks") == "true" {
		bm = &bookmarker{every: s.opts.BookmarkInterval, kind: t.kind.Kind, rv: opts.ResourceVersion, enc: json.NewEncoder(w),
			initialEnd: start.endBookmark}
	}
	streamEvents(w, initial, ch, write, bm)
}

// bookmarker sends BOOKMARK events carrying the last resourceVersion the
// stream reached, so that a client that re-watches (client-go's
// reflectors ask allowWatchBookmarks=true) resumes there rather than
// from an older revision that may have left the history.
type bookmarker struct {
	every time.Duration
	kind  string
	rv    string
	enc   *json.Encoder
	// initialEnd: the initial events end with an annotated bookmark.
	initialEnd bool
}

type bookmarkObject struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Metadata   struct {
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
}

func (b *bookmarker) write() error { return b.writeAnnotated(nil) }

// writeInitialEnd sends the bookmark that closes the initial events, at
// the revision of their snapshot.
func (b *bookmarker) writeInitialEnd() error {
	return b.writeAnnotated(map[string]string{initialEventsEnd: "true"})
}

func (b *bookmarker) writeAnnotated(annotations map[string]string) error {
	o := bookmarkObject{Kind: b.kind, APIVersion: "v1"}
	o.Metadata.ResourceVersion = b.rv
	o.Metadata.Annotations = annotations
	return b.enc.Encode(struct {
		Type   string         `json:"type"`
		Object bookmarkObject `json:"object"`
	}{"BOOKMARK", o})
}

// writeFunc writes one watch event.
type writeFunc func(typ string, obj api.Object) error

// streamEvents writes the events; it flushes whenever no further event is
// waiting, so every event reaches the client at once while a burst costs
// one flush. With bm it also sends a bookmark every bm.every.
func streamEvents(w http.ResponseWriter, initial []api.Object, ch <-chan engine.Event, write writeFunc, bm *bookmarker) {
	for _, o := range initial {
		if write(engine.Added, o) != nil {
			return
		}
	}
	if bm != nil && bm.initialEnd && bm.writeInitialEnd() != nil {
		return
	}
	flush(w)
	var tick <-chan time.Time
	if bm != nil {
		t := time.NewTicker(bm.every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if write(ev.Type, ev.Object) != nil {
				return
			}
			if bm != nil {
				bm.rv = ev.Object.GetObjectMeta().ResourceVersion
			}
			if len(ch) == 0 {
				flush(w)
			}
		case <-tick:
			if bm.write() != nil {
				return
			}
			flush(w)
		}
	}
}

// eventWriter writes events carrying the objects themselves.
func eventWriter(w http.ResponseWriter) writeFunc {
	enc := json.NewEncoder(w)
	return func(typ string, obj api.Object) error { return writeEvent(enc, typ, obj) }
}

// tableEventWriter writes events whose object is a one-row Table; only
// the first carries the column definitions, as the apiserver sends them.
func tableEventWriter(w http.ResponseWriter, resource, includeObject string) writeFunc {
	enc := json.NewEncoder(w)
	first := true
	return func(typ string, obj api.Object) error {
		b, err := tableOf(resource, []api.Object{obj}, obj.GetObjectMeta().ResourceVersion, includeObject, first)
		if err != nil {
			return err
		}
		first = false
		return enc.Encode(rawFrame{Type: typ, Object: b})
	}
}

// rawFrame is a watch line whose object is already encoded.
type rawFrame struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// frame is a watch line; Object is encoded in place.
type frame struct {
	Type   string     `json:"type"`
	Object api.Object `json:"object"`
}

func writeEvent(enc *json.Encoder, typ string, obj api.Object) error {
	api.SetTypeMeta(obj)
	return enc.Encode(frame{Type: typ, Object: obj})
}

func flush(w http.ResponseWriter) {
	http.NewResponseController(w).Flush()
}

// streamContext ends with the request or when the server closes streams.
func (s *Server) streamContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	stop := context.AfterFunc(s.streams, cancel)
	return ctx, func() { stop(); cancel() }
}

func withTimeoutSeconds(ctx context.Context, v string) (context.Context, context.CancelFunc) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, secondsDuration(n))
}

// initialList is the list a watch starts with, built within a list slot.
func (s *Server) initialList(ctx context.Context, t target, opts engine.ListOptions) (*engine.List, error) {
	release, err := s.lists.take(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.eng.List(ctx, t.kind.Resource, opts)
}
