package server

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/server/wire"
)

// DefaultMaxBodyBytes is the largest request body accepted (the
// apiserver's limit is 3 MiB as well).
const DefaultMaxBodyBytes = 3 << 20

// Options configure New. The zero value is the default.
type Options struct {
	// Version is the Min version announced and expected (default
	// engine.Version). Tests set another to simulate a mismatch.
	Version string
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Log receives one line per panic and per internal error (default:
	// the standard logger).
	Log *log.Logger
	// BookmarkInterval is how often a watch that allows bookmarks gets one
	// (default DefaultBookmarkInterval).
	BookmarkInterval time.Duration
	// ListConcurrency bounds how many lists (and watches' initial lists)
	// are built at once, so that they leave CPU to cheap requests
	// (default DefaultListConcurrency(); see fairness.go).
	ListConcurrency int
}

// DefaultBookmarkInterval is the apiserver's pace of watch bookmarks.
const DefaultBookmarkInterval = time.Minute

// Server is an http.Handler serving one engine.
type Server struct {
	eng    engine.Interface
	images engine.ImageService // nil when the engine has none
	opts   Options

	// Answers that never change, encoded once (fixed.go).
	versionDoc *fixed
	docs       *discoveryDocs
	openAPI    *openAPIDocs

	lists listSlots // see fairness.go

	streams     context.Context // ends when CloseStreams is called
	stopStreams context.CancelFunc
	once        sync.Once
}

// New returns a handler serving eng. If eng also implements
// engine.ImageService, the image endpoints serve it.
func New(eng engine.Interface, opts Options) *Server {
	if opts.Version == "" {
		opts.Version = engine.Version
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Log == nil {
		opts.Log = log.Default()
	}
	if opts.BookmarkInterval <= 0 {
		opts.BookmarkInterval = DefaultBookmarkInterval
	}
	if opts.ListConcurrency <= 0 {
		opts.ListConcurrency = DefaultListConcurrency()
	}
	s := &Server{eng: eng, opts: opts, lists: make(listSlots, opts.ListConcurrency)}
	s.images, _ = eng.(engine.ImageService)
	s.versionDoc, s.docs, s.openAPI = fixedJSON(s.versionInfo()), newDiscoveryDocs(), newOpenAPIDocs()
	s.streams, s.stopStreams = context.WithCancel(context.Background())
	return s
}

// CloseStreams ends every long-lived response (watches, followed logs,
// exec, port-forward) so that an http.Server's Shutdown can finish; pass
// it to http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() { s.stopStreams() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer s.recoverPanic(w, r)
	w.Header().Set(wire.VersionHeader, s.opts.Version)
	if v := r.Header.Get(wire.VersionHeader); v != "" && v != s.opts.Version && r.URL.Path != "/version" {
		writeError(w, wire.NewStatusError(http.StatusBadRequest, wire.ReasonVersionMismatch, fmt.Sprintf(
			"this engine runs Min %s but the client is Min %s: stop the engine (minish engine stop) so that the new one starts",
			s.opts.Version, v)))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	}
	s.route(w, r)
}

// recoverPanic turns a handler's panic into a 500 Status for this request.
// http.ErrAbortHandler is the server's own way to abort a response.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil || v == http.ErrAbortHandler {
		if v != nil {
			panic(v)
		}
		return
	}
	s.opts.Log.Printf("engine server: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
	writeError(w, wire.NewStatusError(http.StatusInternalServerError, wire.ReasonInternal,
		fmt.Sprintf("Internal error occurred: panic serving %s %s: %v", r.Method, r.URL.Path, v)))
}
