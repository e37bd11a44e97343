package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFixedAnswers: /version, discovery and the OpenAPI documents carry
// an ETag and answer If-None-Match with 304 and no body, as the
// apiserver's do; anything else gets the document.
func TestFixedAnswers(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/version", "/api", "/apis", "/api/v1", "/openapi/v3", "/openapi/v3/api/v1", "/openapi/v2"} {
		t.Run(path, func(t *testing.T) {
			first := serveWith(s, "GET", path, nil)
			etag := first.Header().Get("Etag")
			if first.Code != 200 || etag == "" || first.Body.Len() == 0 || first.Header().Get("Content-Length") == "" {
				t.Fatalf("first: %d etag %q, %d bytes", first.Code, etag, first.Body.Len())
			}
			cases := []struct {
				name, ifNoneMatch string
				code              int
			}{
				{"same tag", etag, http.StatusNotModified},
				{"weak form", "W/" + etag, http.StatusNotModified},
				{"in a list", `"other", ` + etag, http.StatusNotModified},
				{"any", "*", http.StatusNotModified},
				{"another tag", `"other"`, http.StatusOK},
				{"none", "", http.StatusOK},
			}
			for _, c := range cases {
				rec := serveWith(s, "GET", path, map[string]string{"If-None-Match": c.ifNoneMatch})
				if rec.Code != c.code || rec.Header().Get("Etag") != etag {
					t.Errorf("%s: %d etag %q, want %d", c.name, rec.Code, rec.Header().Get("Etag"), c.code)
				}
				if c.code == http.StatusNotModified && rec.Body.Len() != 0 {
					t.Errorf("%s: 304 with a body of %d bytes", c.name, rec.Body.Len())
				}
				if c.code == http.StatusOK && rec.Body.String() != first.Body.String() {
					t.Errorf("%s: another body", c.name)
				}
			}
		})
	}
}

// TestAPIServerAddress: /api names the address each request reached,
// although it is encoded once per address.
func TestAPIServerAddress(t *testing.T) {
	s := newServer(t)
	for _, host := range []string{"127.0.0.1:6443", "localhost:6443", "127.0.0.1:6443"} {
		req := httptest.NewRequest("GET", "/api", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if want := `"serverAddress":"` + host + `"`; !strings.Contains(rec.Body.String(), want) {
			t.Errorf("host %s: %s", host, rec.Body.String())
		}
	}
}

// TestOpenAPIHead: HEAD gets the headers of the document without it.
func TestOpenAPIHead(t *testing.T) {
	s := newServer(t)
	get := serveWith(s, "GET", "/openapi/v3/api/v1", nil)
	head := serveWith(s, "HEAD", "/openapi/v3/api/v1", nil)
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") {
		t.Fatalf("HEAD: %d, %d bytes, length %q (GET's %q)", head.Code, head.Body.Len(), head.Header().Get("Content-Length"), get.Header().Get("Content-Length"))
	}
}

func serveWith(h http.Handler, method, target string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
