package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minspace/min/engine/openapi"
	openapiv2 "github.com/minspace/min/engine/openapi/v2"
)

// openAPIV1Path is the one group-version document Min serves.
const openAPIV1Path = "/openapi/v3/api/v1"

// openAPIDocs are the OpenAPI answers, encoded once: the v3 index and
// document when the server starts, the v2 protobuf (costly to build)
// when first asked for. All carry the document's hash as their ETag.
type openAPIDocs struct {
	index *fixed
	v3    *fixed
	v2    func() (*fixed, error)
}

func newOpenAPIDocs() *openAPIDocs {
	hash := openapi.Hash()
	index := fixedJSON(map[string]any{"paths": map[string]any{
		"api/v1": map[string]string{"serverRelativeURL": openAPIV1Path + "?hash=" + hash}}})
	return &openAPIDocs{index: index, v3: newFixed("application/json", openapi.V1(), strconv.Quote(hash)),
		v2: sync.OnceValues(func() (*fixed, error) {
			b, err := openapiv2.Protobuf()
			if err != nil {
				return nil, err
			}
			return newFixed(openapiv2.ProtobufType, b, strconv.Quote(hash)), nil
		})}
}

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
	switch p {
	case "/openapi/v2":
		s.serveOpenAPIV2(w, r)
	case "/openapi/v3":
		s.openAPI.index.serve(w, r)
	default:
		s.serveOpenAPIV3(w, r)
	}
	return true
}

// serveOpenAPIV3 answers the document: immutable when asked for by its
// current hash, redirected to it when by another.
func (s *Server) serveOpenAPIV3(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Vary", "Accept")
	switch q := r.URL.Query().Get("hash"); {
	case q == openapi.Hash():
		h.Set("Cache-Control", "public, immutable")
		h.Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
	case q != "":
		http.Redirect(w, r, openAPIV1Path+"?hash="+openapi.Hash(), http.StatusMovedPermanently)
		return
	default:
		h.Set("Cache-Control", "no-cache, private")
	}
	s.openAPI.v3.serve(w, r)
}

// serveOpenAPIV2 answers /openapi/v2 in protobuf, the form client-go reads.
func (s *Server) serveOpenAPIV2(w http.ResponseWriter, r *http.Request) {
	f, err := s.openAPI.v2()
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Vary", "Accept")
	f.serve(w, r)
}
