package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minspace/min/engine/openapi"
	openapiv2 "github.com/minspace/min/engine/openapi/v2"
)

// openAPIV1Path is the one group-version document Min serves.
const openAPIV1Path = "/openapi/v3/api/v1"

// serveOpenAPI serves /openapi/v3 (the index naming each document's URL
// with its content hash) and /openapi/v3/api/v1, with the caching
// headers of kube-openapi's handler3 so that kubectl downloads the
// document once; it reports false for other paths. /openapi/v2 is the
// same document in Swagger 2.0 protobuf (kubectl 1.27 and 1.28 validate
// with it; later ones read it for `kind: List` files).
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if p != "/openapi/v3" && p != openAPIV1Path && p != "/openapi/v2" {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, errMethodNotAllowed())
		return true
	}
	if p == "/openapi/v2" {
		serveOpenAPIV2(w, r)
		return true
	}
	hash := openapi.Hash()
	if p == "/openapi/v3" {
		writeJSON(w, http.StatusOK, map[string]any{"paths": map[string]any{
			"api/v1": map[string]string{"serverRelativeURL": openAPIV1Path + "?hash=" + hash}}})
		return true
	}
	h := w.Header()
	h.Set("Etag", strconv.Quote(hash))
	h.Set("Vary", "Accept")
	switch q := r.URL.Query().Get("hash"); {
	case q == hash:
		h.Set("Cache-Control", "public, immutable")
		h.Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
	case q != "":
		http.Redirect(w, r, openAPIV1Path+"?hash="+hash, http.StatusMovedPermanently)
		return true
	default:
		h.Set("Cache-Control", "no-cache, private")
	}
	b := openapi.V1()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(b)
	}
	return true
}

// serveOpenAPIV2 answers /openapi/v2 in protobuf, the form client-go reads.
func serveOpenAPIV2(w http.ResponseWriter, r *http.Request) {
	b, err := openapiv2.Protobuf()
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", openapiv2.ProtobufType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Etag", strconv.Quote(openapi.Hash()))
	h.Set("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(b)
	}
}
