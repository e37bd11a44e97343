package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// fixed is a response that never changes while the server runs
// (/version, discovery, the OpenAPI documents): encoded once and served
// from memory, with a strong ETag so that a client holding it gets a 304
// for If-None-Match, as from the apiserver's discovery and kube-openapi's
// handlers. Every kubectl command asks for some of these; none of them
// should cost an encoding.
type fixed struct {
	body  []byte
	ctype string
	etag  string // quoted
}

// newFixed serves body as ctype; etag "" derives one from the bytes.
func newFixed(ctype string, body []byte, etag string) *fixed {
	if etag == "" {
		sum := sha256.Sum256(body)
		etag = strconv.Quote(strings.ToUpper(hex.EncodeToString(sum[:16])))
	}
	return &fixed{body: body, ctype: ctype, etag: etag}
}

// fixedJSON encodes v once, with the newline writeJSON ends with.
func fixedJSON(v any) *fixed {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the server's own constant shapes come here.
		panic("server: encoding a fixed response: " + err.Error())
	}
	return newFixed("application/json", append(b, '\n'), "")
}

// serve writes the response, or 304 when the request already holds it.
// HEAD gets the headers only.
func (f *fixed) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Etag", f.etag)
	if etagMatches(r.Header.Get("If-None-Match"), f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(f.body)
	}
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 13.1.2):
// "*", or any listed tag equal to etag with or without W/.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// hostFixed is a fixed response that names the Host the client reached
// (/api's serverAddressByClientCIDRs): the last one is kept, which is
// every request's when all clients use one address, and a client cannot
// grow it by sending many Host headers.
type hostFixed struct {
	last atomic.Pointer[hostAnswer]
	make func(host string) *fixed
}

type hostAnswer struct {
	host string
	resp *fixed
}

func (c *hostFixed) get(host string) *fixed {
	if a := c.last.Load(); a != nil && a.host == host {
		return a.resp
	}
	a := &hostAnswer{host: host, resp: c.make(host)}
	c.last.Store(a)
	return a.resp
}
