package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// logs streams a container's log as text/plain, flushing every write. An
// error before the first byte is a Status; one after it travels in the
// Min-Error trailer (the body has already started).
func (s *Server) logs(w http.ResponseWriter, r *http.Request, t target) {
	opts, err := logOptions(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := s.streamContext(r.Context())
	defer cancel()
	lw := &logWriter{w: w}
	w.Header().Set("Trailer", wire.ErrorTrailer)
	err = s.eng.Logs(ctx, t.namespace, t.name, opts, lw)
	switch {
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
// write, so a followed log reaches the client line by line.
type logWriter struct {
	w       http.ResponseWriter
	started bool
}

func (l *logWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.w.Header().Set("Content-Type", "text/plain")
		l.w.WriteHeader(http.StatusOK)
		l.started = true
	}
	n, err := l.w.Write(p)
	if err == nil {
		err = http.NewResponseController(l.w).Flush()
	}
	return n, err
}

// logOptions reads PodLogOptions' query parameters.
func logOptions(q url.Values) (engine.LogOptions, error) {
	var o engine.LogOptions
	var err error
	o.Container = q.Get("container")
	if o.Follow, err = boolParam(q, "follow"); err != nil {
		return o, err
	}
	if o.Previous, err = boolParam(q, "previous"); err != nil {
		return o, err
	}
	if o.Timestamps, err = boolParam(q, "timestamps"); err != nil {
		return o, err
	}
	if o.TailLines, err = intParam(q, "tailLines"); err != nil {
		return o, err
	}
	if o.SinceSeconds, err = intParam(q, "sinceSeconds"); err != nil {
		return o, err
	}
	if o.TailLines != nil && *o.TailLines < 0 {
		return o, api.NewBadRequest("tailLines: Invalid value: must be greater than or equal to 0")
	}
	if o.SinceSeconds != nil && *o.SinceSeconds < 1 {
		return o, api.NewBadRequest("sinceSeconds: Invalid value: must be greater than 0")
	}
	return o, nil
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
