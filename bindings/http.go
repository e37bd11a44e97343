package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// defaultHTTPTimeout bounds a request whose call gives no timeout=: the
// whole exchange, body included.
const defaultHTTPTimeout = 30 * time.Second

// maxHTTPBody bounds the body a script receives: it is held in memory as
// one Lua string.
const maxHTTPBody = 64 << 20

// reasonUnavailable is the reason of a caught error when the server could
// not be reached (Kubernetes' word for it).
const reasonUnavailable = "ServiceUnavailable"

func (s *State) httpModule() module {
	return module{name: "http", doc: "HTTP requests (Go's net/http), e.g. to fetch a page through a port-forward.", funcs: []function{
		{"get", "(url, {timeout=30, headers={k=v}})",
			"GETs url and returns the body, the status code and the response headers (a table with lower-case names; " +
				"repeated headers joined by \", \"). A status such as 404 is returned, not raised; a failed connection " +
				"raises an error naming the URL (reason ServiceUnavailable, or Timeout after timeout seconds, 30 by default).",
			s.httpGet},
		{"request", "{method=\"GET\", url=, body=, headers={k=v}, timeout=30}",
			"Sends a request with an optional body (a string) and returns the body, the status code and the headers, as http.get does.",
			s.httpRequest},
	}}
}

// httpCall is one request as a script described it.
type httpCall struct {
	fn      string // the Lua function, for messages
	method  string
	url     string
	body    string
	headers map[string]string
	timeout time.Duration
}

func (s *State) httpGet(L *lua.LState) int {
	c := httpCall{fn: "http.get", method: http.MethodGet, url: L.CheckString(1)}
	o := s.options(L, 2, c.fn, "timeout", "headers")
	s.httpOptions(L, &c, o)
	return s.httpDo(L, c)
}

func (s *State) httpRequest(L *lua.LState) int {
	L.CheckTable(1)
	c := httpCall{fn: "http.request", method: http.MethodGet}
	o := s.options(L, 1, c.fn, "method", "url", "body", "headers", "timeout")
	if m := o.str("method"); m != "" {
		c.method = strings.ToUpper(m)
	}
	c.url = o.str("url")
	if c.url == "" {
		s.raise(L, reasonBadRequest, "%s: url is required", c.fn)
	}
	if v := o.get("body"); v != lua.LNil {
		b, ok := v.(lua.LString)
		if !ok {
			s.raise(L, reasonBadRequest, "%s: body must be a string, got %s", c.fn, v.Type())
		}
		c.body = string(b)
	}
	s.httpOptions(L, &c, o)
	return s.httpDo(L, c)
}

// httpOptions reads the options both functions share.
func (s *State) httpOptions(L *lua.LState, c *httpCall, o opts) {
	c.timeout = defaultHTTPTimeout
	if v := o.get("timeout"); v != lua.LNil {
		t, ok := v.(lua.LNumber)
		if !ok || t <= 0 {
			s.raise(L, reasonBadRequest, "%s: timeout must be a positive number of seconds, got %s", c.fn, lua.LVAsString(v))
		}
		c.timeout = time.Duration(float64(t) * float64(time.Second))
	}
	if v := o.get("headers"); v != lua.LNil {
		c.headers = s.stringMap(L, v, c.fn, "headers")
	}
}

// httpDo sends the request under the run's context (Ctrl-C ends it) and
// pushes body, status code and headers.
func (s *State) httpDo(L *lua.LState, c httpCall) int {
	u, err := url.Parse(c.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s.raise(L, reasonBadRequest, "%s: %q is not an http:// or https:// URL", c.fn, c.url)
	}
	ctx, cancel := context.WithTimeout(ctxOf(L), c.timeout)
	defer cancel()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		s.raise(L, reasonBadRequest, "%s: %v", c.fn, err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host // Go sends req.Host, not the header
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.httpFailed(L, ctx, c, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody+1))
	if err != nil {
		s.httpFailed(L, ctx, c, err)
	}
	if len(data) > maxHTTPBody {
		s.raise(L, reasonBadRequest, "%s: %s %s: the response body is larger than %d MiB", c.fn, c.method, c.url, maxHTTPBody>>20)
	}
	L.Push(lua.LString(data))
	L.Push(lua.LNumber(resp.StatusCode))
	L.Push(headerTable(L, resp.Header))
	return 3
}

// httpFailed raises for a request that got no complete response: the
// message names the method and URL, the reason says why.
func (s *State) httpFailed(L *lua.LState, ctx context.Context, c httpCall, err error) {
	if run := ctxOf(L).Err(); run != nil { // Ctrl-C or the run's own deadline
		s.raiseErr(L, run)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, quoted: say it once
	}
	reason := reasonUnavailable
	if ctx.Err() == context.DeadlineExceeded {
		reason = reasonTimeout
		err = fmt.Errorf("no complete response within %v", c.timeout)
	}
	s.raise(L, reason, "%s: %s %s: %v", c.fn, c.method, c.url, err)
}

// headerTable returns the headers with lower-case names, repeated ones
// joined by ", " as HTTP allows.
func headerTable(L *lua.LState, h http.Header) *lua.LTable {
	t := L.CreateTable(0, len(h))
	for k, vs := range h {
		t.RawSetString(strings.ToLower(k), lua.LString(strings.Join(vs, ", ")))
	}
	return t
}
