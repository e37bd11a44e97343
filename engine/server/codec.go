package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// writeJSON writes v with the given HTTP code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, fmt.Errorf("encoding the response: %w", err))
		return
	}
	writeBytes(w, code, "application/json", b)
}

// writeBytes writes an encoded answer and the newline the apiserver's
// encoder ends it with. They go in two writes: appending the newline
// could copy a list's megabyte.
func writeBytes(w http.ResponseWriter, code int, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(b)
	io.WriteString(w, "\n")
}

// writeError writes err as a Kubernetes Status with its HTTP code.
func writeError(w http.ResponseWriter, err error) {
	st := wire.StatusOf(err)
	b, _ := json.Marshal(st)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	h.Del("Trailer")
	w.WriteHeader(int(st.Code))
	w.Write(append(b, '\n'))
}

// readBody reads a whole request body within the size limit.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, wire.NewStatusError(http.StatusRequestEntityTooLarge, wire.ReasonTooLarge,
			fmt.Sprintf("Request entity too large: limit is %d", tooLarge.Limit))
	}
	if err != nil {
		return nil, api.NewBadRequest("reading the request body: " + err.Error())
	}
	return b, nil
}

// mediaType is the request's Content-Type without parameters ("" when
// absent).
func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

// errUnsupportedMedia is the apiserver's 415 text.
func errUnsupportedMedia(mt string, supported ...string) error {
	return wire.NewStatusError(http.StatusUnsupportedMediaType, wire.ReasonUnsupportedMedia,
		fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: %s (got %q)",
			joinQuoted(supported), mt))
}

func joinQuoted(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}

// decodeObject decodes a request body as an object of kind k. Unknown
// fields are refused when the request asks for fieldValidation=Strict,
// reported in Warning headers (which kubectl prints) with Warn, and
// dropped otherwise.
func decodeObject(w http.ResponseWriter, r *http.Request, k api.Kind) (api.Object, error) {
	mt := mediaType(r)
	if mt != "" && mt != "application/json" && mt != "*/*" && mt != protobufType {
		return nil, errUnsupportedMedia(mt, "application/json", protobufType)
	}
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if mt == protobufType {
		return decodeProtobuf(b, k)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, api.NewBadRequest(fmt.Sprintf("the object provided is unrecognized (must be of type %s): request body is empty", k.Kind))
	}
	obj := k.New()
	dec := json.NewDecoder(bytes.NewReader(b))
	if r.URL.Query().Get("fieldValidation") == "Strict" {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(obj); err != nil {
		if !json.Valid(b) {
			return nil, api.NewBadRequest(fmt.Sprintf(
				"the object provided is unrecognized (must be of type %s): couldn't get version/kind; json parse error: %v", k.Kind, syntaxError(b)))
		}
		return nil, strictError(k, b, err)
	}
	if r.URL.Query().Get("fieldValidation") == "Warn" {
		warnUnknown(w, b, k)
	}
	if tm := obj.GetTypeMeta(); tm.Kind != "" && tm.Kind != k.Kind {
		return nil, api.NewBadRequest(fmt.Sprintf("the object provided is unrecognized (must be of type %s): kind %q cannot be handled here", k.Kind, tm.Kind))
	} else if tm.APIVersion != "" && tm.APIVersion != "v1" {
		return nil, api.NewBadRequest(fmt.Sprintf("the API version in the data (%s) does not match the expected API version (v1)", tm.APIVersion))
	}
	return obj, nil
}

// syntaxError is encoding/json's own description of malformed input.
func syntaxError(b []byte) error {
	var v any
	return json.Unmarshal(b, &v)
}
