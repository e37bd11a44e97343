package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// logs streams a container's log as text/plain, flushing every write. An
// error before the first byte is a Status; one after it travels in the
// Min-Error trailer (the body has already started). limitBytes ends the
// stream (a followed one too) once that many bytes have gone out.
func (s *Server) logs(w http.ResponseWriter, r *http.Request, t target) {
	opts, limit, err := logOptions(r.URL.Query(), time.Now())
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := s.streamContext(r.Context())
	defer cancel()
	lw := &logWriter{w: w, left: limit, full: cancel}
	w.Header().Set("Trailer", wire.ErrorTrailer)
	err = s.eng.Logs(ctx, t.namespace, t.name, opts, lw)
	switch {
	case lw.limited:
	case err != nil && !lw.started:
		writeError(w, err)
	case err != nil && ctx.Err() == nil:
		b, _ := json.Marshal(wire.StatusOf(err))
		w.Header().Set(wire.ErrorTrailer, string(b))
	case !lw.started:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
	}
}

// logWriter sends the 200 header with the first byte and flushes every
// write, so a followed log reaches the client line by line. With a limit
// (left > 0) it writes that many bytes, then calls full and refuses more.
type logWriter struct {
	w       http.ResponseWriter
	started bool
	left    int64 // bytes still allowed; 0: no limit
	limited bool  // the limit was reached
	full    func()
}

// errLogLimit stops the engine's copy once limitBytes have been written.
var errLogLimit = errors.New("limitBytes reached")

func (l *logWriter) Write(p []byte) (int, error) {
	if l.limited {
		return 0, errLogLimit
	}
	if !l.started {
		l.w.Header().Set("Content-Type", "text/plain")
		l.w.WriteHeader(http.StatusOK)
		l.started = true
	}
	q := p
	if l.left > 0 && int64(len(q)) >= l.left {
		q = q[:l.left]
		l.limited = true
	}
	l.left -= int64(len(q))
	n, err := l.w.Write(q)
	if err == nil {
		err = http.NewResponseController(l.w).Flush()
	}
	if err == nil && l.limited {
		l.full()
		err = errLogLimit
	}
	return n, err
}

// logOptions reads PodLogOptions' query parameters, with the
// apiserver's validation. sinceTime becomes the whole number of seconds
// before now that covers it (the engine filters by seconds). It also
// returns limitBytes (0 when absent).
func logOptions(q url.Values, now time.Time) (engine.LogOptions, int64, error) {
	var o engine.LogOptions
	var err error
	o.Container = q.Get("container")
	for _, b := range []struct {
		name string
		v    *bool
	}{{"follow", &o.Follow}, {"previous", &o.Previous}, {"timestamps", &o.Timestamps}} {
		if *b.v, err = boolParam(q, b.name); err != nil {
			return o, 0, err
		}
	}
	var limit *int64
	for _, n := range []struct {
		name string
		v    **int64
	}{{"tailLines", &o.TailLines}, {"sinceSeconds", &o.SinceSeconds}, {"limitBytes", &limit}} {
		if *n.v, err = intParam(q, n.name); err != nil {
			return o, 0, err
		}
	}
	switch {
	case o.TailLines != nil && *o.TailLines < 0:
		return o, 0, api.NewBadRequest("tailLines: Invalid value: must be greater than or equal to 0")
	case limit != nil && *limit < 1:
		return o, 0, api.NewBadRequest("limitBytes: Invalid value: must be greater than 0")
	case o.SinceSeconds != nil && q.Get("sinceTime") != "":
		return o, 0, api.NewBadRequest("at most one of `sinceTime` or `sinceSeconds` may be specified")
	case o.SinceSeconds != nil && *o.SinceSeconds < 1:
		return o, 0, api.NewBadRequest("sinceSeconds: Invalid value: must be greater than 0")
	}
	if v := q.Get("sinceTime"); v != "" {
		since, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return o, 0, api.NewBadRequest(fmt.Sprintf("sinceTime: invalid time %q: %v", v, err))
		}
		secs := int64(max(1, math.Ceil(now.Sub(since).Seconds())))
		o.SinceSeconds = &secs
	}
	if limit == nil {
		return o, 0, nil
	}
	return o, *limit, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, api.NewBadRequest(fmt.Sprintf("%s: invalid boolean %q", name, v))
	}
	return b, nil
}

func intParam(q url.Values, name string) (*int64, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("%s: invalid integer %q", name, v))
	}
	return &n, nil
}
