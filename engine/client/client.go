package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// ErrVersionMismatch: the engine runs another version of Min.
var ErrVersionMismatch = errors.New("version mismatch")

// VersionError says which versions differ and what to do about it.
type VersionError struct {
	Client, Engine, Where string
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("this client is Min %s but the engine at %s runs Min %s: stop the engine (minish engine stop) and run the command again to start Min %s",
		e.Client, e.Where, e.Engine, e.Client)
}

// Is makes errors.Is(err, ErrVersionMismatch) hold.
func (e *VersionError) Is(target error) bool { return target == ErrVersionMismatch }

// Options configure New. The zero value is the default.
type Options struct {
	// Dial opens a connection to the engine (default: the unix socket
	// given to New).
	Dial func(ctx context.Context) (net.Conn, error)
	// Version is the Min version this client speaks (default
	// cluster.Version). Tests set another to simulate a mismatch.
	Version string
	// MaxIdleConns is how many idle connections are kept (default 64).
	MaxIdleConns int
}

// Client talks to one engine.
type Client struct {
	opts  Options
	where string
	http  *http.Client
	tr    *http.Transport
}

var (
	_ cluster.Interface    = (*Client)(nil)
	_ cluster.ImageService = (*Client)(nil)
)

// New returns a client of the engine listening on the unix socket at
// socket (or reached through opts.Dial). It does no I/O: use Ping to check
// that an engine answers and speaks this version.
func New(socket string, opts Options) *Client {
	if opts.Version == "" {
		opts.Version = cluster.Version
	}
	if opts.MaxIdleConns <= 0 {
		opts.MaxIdleConns = 64
	}
	if opts.Dial == nil {
		opts.Dial = func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		}
	}
	tr := &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return opts.Dial(ctx) },
		MaxIdleConns:        opts.MaxIdleConns,
		MaxIdleConnsPerHost: opts.MaxIdleConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	where := socket
	if where == "" {
		where = "the engine's address"
	}
	return &Client{opts: opts, where: where, tr: tr, http: &http.Client{Transport: tr}}
}

// Close drops the idle connections. Watches and streams in flight end with
// their contexts.
func (c *Client) Close() error {
	c.tr.CloseIdleConnections()
	return nil
}

// Ping checks that an engine answers /version and runs this client's
// version of Min.
func (c *Client) Ping(ctx context.Context) (wire.Version, error) {
	var v wire.Version
	resp, err := c.do(ctx, http.MethodGet, "/version", nil, nil, "")
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return v, fmt.Errorf("engine at %s: reading /version: %w", c.where, err)
	}
	if v.MinVersion != c.opts.Version {
		return v, &VersionError{Client: c.opts.Version, Engine: v.MinVersion, Where: c.where}
	}
	return v, nil
}

// request builds a request to path with the query and an optional body.
func (c *Client) request(ctx context.Context, method, path string, q url.Values, body []byte, ctype string) (*http.Request, error) {
	u := "http://min" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set(wire.VersionHeader, c.opts.Version)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req, nil
}

// do sends a request; an answer of 400 or more becomes the error its
// Status carries.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte, ctype string) (*http.Response, error) {
	req, err := c.request(ctx, method, path, q, body, ctype)
	if err != nil {
		return nil, err
	}
	return c.send(req)
}

// send sends a request built by request (perhaps with more headers), as
// do does.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(req.Context(), err)
	}
	if err := c.check(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// check turns a response into an error: another Min version, or a Status.
func (c *Client) check(resp *http.Response) error {
	if v := resp.Header.Get(wire.VersionHeader); v != "" && v != c.opts.Version {
		return &VersionError{Client: c.opts.Version, Engine: v, Where: c.where}
	}
	if resp.StatusCode < 400 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return wire.DecodeStatus(resp.StatusCode, b)
}

// transportError keeps context errors recognisable and names the engine.
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("engine at %s: %w", c.where, err)
}

// doJSON sends a request and decodes the answer into out.
func (c *Client) doJSON(ctx context.Context, method, path string, q url.Values, body []byte, ctype string, out any) error {
	resp, err := c.do(ctx, method, path, q, body, ctype)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("engine at %s: decoding the answer to %s %s: %w", c.where, method, path, err)
	}
	return nil
}

// resourceKind finds a kind by its resource name as the engine does.
func resourceKind(resource string) (api.Kind, error) {
	k, ok := api.KindFor(resource)
	if !ok {
		return api.Kind{}, api.NewNotFound("resources", resource)
	}
	return k, nil
}

// objectPath is the path of a collection (name "") or an object.
func objectPath(k api.Kind, namespace, name string) string {
	p := "/api/v1/"
	if k.Namespaced {
		if namespace == "" {
			namespace = "default"
		}
		p += "namespaces/" + url.PathEscape(namespace) + "/"
	}
	p += k.Resource
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}
