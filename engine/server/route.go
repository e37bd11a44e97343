package server

import (
	"net/http"
	"strings"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// target is a parsed /api/v1 path: which kind, which namespace (the
// namespace of a namespaced path; "" lists across namespaces), which
// object and which subresource.
type target struct {
	kind        api.Kind
	namespace   string
	nsPath      bool // the path named a namespace
	name        string
	subresource string
}

// route dispatches a request to its handler.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/version" || p == "/version/":
		s.version(w, r)
	case p == "/healthz" || p == "/readyz" || p == "/livez":
		s.healthz(w, r)
	case s.discovery(w, r), s.serveOpenAPI(w, r), s.serveLease(w, r):
	case p == wire.ImagesPath || strings.HasPrefix(p, wire.ImagesPath+"/"):
		s.serveImages(w, r, strings.TrimPrefix(strings.TrimPrefix(p, wire.ImagesPath), "/"))
	case strings.HasPrefix(p, "/api/v1/"):
		t, ok := parseTarget(strings.TrimPrefix(p, "/api/v1/"))
		if !ok {
			writeError(w, errNotFoundPath())
			return
		}
		s.serveAPI(w, r, t)
	default:
		writeError(w, errNotFoundPath())
	}
}

// parseTarget reads the path after /api/v1/.
func parseTarget(rest string) (target, bool) {
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, s := range seg {
		if s == "" {
			return target{}, false
		}
	}
	var t target
	if len(seg) >= 3 && seg[0] == "namespaces" {
		t.namespace, t.nsPath = seg[1], true
		seg = seg[2:]
	}
	if len(seg) > 3 {
		return t, false
	}
	k, ok := kindByResource(seg[0])
	if !ok || k.Namespaced != t.nsPath && (t.nsPath || len(seg) > 1) {
		return t, false
	}
	t.kind = k
	if len(seg) > 1 {
		t.name = seg[1]
	}
	if len(seg) > 2 {
		t.subresource = seg[2]
	}
	return t, true
}

// kindByResource finds a kind by its plural resource name only.
func kindByResource(res string) (api.Kind, bool) {
	for _, k := range api.Kinds {
		if k.Resource == res {
			return k, true
		}
	}
	return api.Kind{}, false
}

// serveAPI handles the methods on a parsed target.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, t target) {
	switch {
	case t.subresource != "":
		s.serveSubresource(w, r, t)
	case t.name == "":
		s.serveCollection(w, r, t)
	default:
		s.serveObject(w, r, t)
	}
}

func (s *Server) serveCollection(w http.ResponseWriter, r *http.Request, t target) {
	switch r.Method {
	case http.MethodGet:
		if isWatch(r) {
			s.watch(w, r, t)
			return
		}
		s.list(w, r, t)
	case http.MethodPost:
		if t.kind.Namespaced && !t.nsPath {
			writeError(w, errMethodNotAllowed())
			return
		}
		s.create(w, r, t)
	case http.MethodDelete:
		s.deleteCollection(w, r, t)
	default:
		writeError(w, errMethodNotAllowed())
	}
}

func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, t target) {
	switch r.Method {
	case http.MethodGet:
		s.get(w, r, t)
	case http.MethodPut:
		s.update(w, r, t)
	case http.MethodPatch:
		s.patch(w, r, t)
	case http.MethodDelete:
		s.delete(w, r, t)
	default:
		writeError(w, errMethodNotAllowed())
	}
}

func (s *Server) serveSubresource(w http.ResponseWriter, r *http.Request, t target) {
	if t.kind.Resource == "replicationcontrollers" && t.subresource == "scale" {
		s.scale(w, r, t)
		return
	}
	if t.kind.Resource != "pods" {
		writeError(w, errNotFoundPath())
		return
	}
	switch t.subresource {
	case "log":
		if r.Method != http.MethodGet {
			writeError(w, errMethodNotAllowed())
			return
		}
		s.logs(w, r, t)
	case "exec":
		s.exec(w, r, t)
	case "portforward":
		s.portForward(w, r, t)
	case "status":
		s.podStatus(w, r, t)
	default:
		writeError(w, errNotFoundPath())
	}
}

func isWatch(r *http.Request) bool {
	v := r.URL.Query().Get("watch")
	return v == "true" || v == "1"
}

func errNotFoundPath() error {
	return &api.StatusError{Reason: api.ReasonNotFound, Code: http.StatusNotFound,
		Message: wire.NotFoundResourceMessage, Details: &api.StatusDetails{}}
}

func errMethodNotAllowed() error {
	return wire.NewStatusError(http.StatusMethodNotAllowed, wire.ReasonMethodNotAllowed,
		"the server does not allow this method on the requested resource")
}
