package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// ImageList is the answer of GET /apis/min.minspace.io/v1/images.
type ImageList struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Items      []engine.Image `json:"items"`
}

// serveImages serves Min's image store: GET lists, POST import|build|pull
// act, DELETE {name} removes.
func (s *Server) serveImages(w http.ResponseWriter, r *http.Request, rest string) {
	if s.images == nil {
		writeError(w, errNotFoundPath())
		return
	}
	ctx := r.Context()
	switch {
	case rest == "" && r.Method == http.MethodGet:
		list, err := s.images.ListImages(ctx)
		if err != nil {
			writeError(w, err)
			return
		}
		if list == nil {
			list = []engine.Image{}
		}
		writeJSON(w, http.StatusOK, ImageList{Kind: "ImageList", APIVersion: wire.APIGroup + "/v1", Items: list})
	case rest == "import" && r.Method == http.MethodPost:
		var req wire.ImportRequest
		if decodeJSON(w, r, &req) {
			s.imageReply(w)(s.images.ImportImage(ctx, req.Name, req.Source))
		}
	case rest == "pull" && r.Method == http.MethodPost:
		var req wire.PullRequest
		if decodeJSON(w, r, &req) {
			s.imageReply(w)(s.images.PullImage(ctx, req.Ref, req.Insecure))
		}
	case rest == "build" && r.Method == http.MethodPost:
		var req engine.ImageBuild
		if decodeJSON(w, r, &req) {
			s.imageReply(w)(s.images.BuildImage(ctx, req))
		}
	case rest != "" && r.Method == http.MethodDelete:
		if err := s.images.RemoveImage(ctx, rest); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, wire.Status{Kind: "Status", APIVersion: "v1", Status: wire.StatusSuccess, Code: http.StatusOK})
	case rest == "" || rest == "import" || rest == "pull" || rest == "build":
		writeError(w, errMethodNotAllowed())
	default:
		writeError(w, errNotFoundPath())
	}
}

func (s *Server) imageReply(w http.ResponseWriter) func(engine.Image, error) {
	return func(im engine.Image, err error) {
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, im)
	}
}

// decodeJSON reads a JSON body into v strictly; on failure it answers 400
// and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt := mediaType(r); mt != "" && mt != "application/json" {
		writeError(w, errUnsupportedMedia(mt, "application/json"))
		return false
	}
	b, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeError(w, api.NewBadRequest(fmt.Sprintf("decoding the request body: %v", err)))
		return false
	}
	return true
}
