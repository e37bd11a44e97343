package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// httpTestServer serves a few paths on loopback:
//
//	/hello    "hello", Content-Type text/plain, two X-Multi headers
//	/echo     the method, the body, the X-Token header and the Host, one a line
//	/missing  404 "nope"
//	/slow     nothing until the client gives up
func httpTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s\n%s\n%s\n%s", r.Method, body, r.Header.Get("X-Token"), r.Host)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "nope")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux) // 127.0.0.1, an ephemeral port
	t.Cleanup(srv.Close)
	return srv
}

// closedURL returns an http URL on loopback where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}

func TestHTTP(t *testing.T) {
	srv := httpTestServer(t)
	s, _ := newTestState(t, Options{})
	s.L.SetGlobal("URL", lua.LString(srv.URL))
	s.L.SetGlobal("CLOSED", lua.LString(closedURL(t)))
	cases := []struct{ name, chunk string }{
		{"get", `
			local body, code, h = http.get(URL .. "/hello")
			assert(body == "hello", body)
			assert(code == 200, code)
			assert(h["content-type"] == "text/plain", h["content-type"])
			assert(h["x-multi"] == "a, b", h["x-multi"])
			assert(h["content-length"] == "5", h["content-length"])`},
		{"get with headers and timeout", `
			local body = http.get(URL .. "/echo", {headers = {["X-Token"] = "s3cret"}, timeout = 5})
			assert(body:find("^GET\n\ns3cret\n"), body)`},
		{"a 404 is returned, not raised", `
			local body, code = http.get(URL .. "/missing")
			assert(code == 404 and body == "nope", code .. " " .. body)`},
		{"request with a body", `
			local body, code = http.request{method = "post", url = URL .. "/echo", body = "a=1",
				headers = {["X-Token"] = "t", Host = "example.test"}}
			assert(code == 200, code)
			assert(body == "POST\na=1\nt\nexample.test", body)`},
		{"request defaults to GET", `
			local body = http.request{url = URL .. "/echo"}
			assert(body:find("^GET\n"), body)`},
		{"connection refused names the URL", `
			local ok, e = pcall(http.get, CLOSED)
			assert(not ok)
			assert(e.reason == "ServiceUnavailable", e.reason)
			assert(e.message:find("http.get: GET " .. CLOSED .. ": ", 1, true), e.message)
			assert(e.message:find("connection refused", 1, true), e.message)
			assert(tostring(e):find("^test.lua:2: "), tostring(e))`},
		{"timeout", `
			local ok, e = pcall(http.get, URL .. "/slow", {timeout = 0.2})
			assert(not ok and e.reason == "Timeout", tostring(e))
			assert(e.message:find(URL .. "/slow: no complete response within 200ms", 1, true), e.message)`},
		{"request raises like get", `
			local ok, e = pcall(http.request, {method = "PUT", url = CLOSED})
			assert(not ok and e.message:find("http.request: PUT " .. CLOSED, 1, true), tostring(e))`},
		{"not an http URL", `
			local ok, e = pcall(http.get, "ftp://127.0.0.1/x")
			assert(not ok and e.reason == "BadRequest", tostring(e))
			assert(e.message:find('"ftp://127.0.0.1/x" is not an http:// or https:// URL', 1, true), e.message)`},
		{"unknown option", `
			local ok, e = pcall(http.get, URL, {timout = 1})
			assert(not ok and e.message:find('unknown option "timout" (did you mean "timeout"?)', 1, true), tostring(e))`},
		{"url required", `
			local ok, e = pcall(http.request, {method = "GET"})
			assert(not ok and e.message:find("http.request: url is required", 1, true), tostring(e))`},
		{"bad timeout", `
			local ok, e = pcall(http.get, URL, {timeout = -1})
			assert(not ok and e.message:find("timeout must be a positive number", 1, true), tostring(e))`},
		{"require", `assert(require("min.http") == http)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := run(t, s, c.chunk); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHTTPCancelled: the run's context ends a request at once, whatever
// its own timeout.
func TestHTTPCancelled(t *testing.T) {
	srv := httpTestServer(t)
	s, _ := newTestState(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.DoString(ctx, fmt.Sprintf("http.get(%q, {timeout = 30})", srv.URL+"/slow"), "test.lua")
	if err == nil {
		t.Fatal("no error")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("the request outlived its run by %v", time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error %v does not say the run's deadline passed", err)
	}
}
