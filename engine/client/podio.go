package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// Logs implements cluster.Interface: the log streams into w as the engine
// writes it.
func (c *Client) Logs(ctx context.Context, namespace, pod string, opts cluster.LogOptions, w io.Writer) error {
	if !validPathName(pod) {
		return api.NewNotFound("pods", pod)
	}
	q := url.Values{}
	setIf(q, "container", opts.Container, opts.Container != "")
	setIf(q, "follow", "true", opts.Follow)
	setIf(q, "previous", "true", opts.Previous)
	setIf(q, "timestamps", "true", opts.Timestamps)
	if opts.TailLines != nil {
		q.Set("tailLines", strconv.FormatInt(*opts.TailLines, 10))
	}
	if opts.SinceSeconds != nil {
		q.Set("sinceSeconds", strconv.FormatInt(*opts.SinceSeconds, 10))
	}
	resp, err := c.do(ctx, http.MethodGet, podPath(namespace, pod, "log"), q, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("engine at %s: reading the log of %s: %w", c.where, pod, err)
	}
	if t := resp.Trailer.Get(wire.ErrorTrailer); t != "" {
		return wire.DecodeStatus(http.StatusInternalServerError, []byte(t))
	}
	return nil
}

func setIf(q url.Values, k, v string, cond bool) {
	if cond {
		q.Set(k, v)
	}
}

func podPath(namespace, pod, sub string) string {
	if namespace == "" {
		namespace = "default"
	}
	return "/api/v1/namespaces/" + url.PathEscape(namespace) + "/pods/" + url.PathEscape(pod) + "/" + sub
}

// Exec implements cluster.Interface over Min's framed exec protocol.
func (c *Client) Exec(ctx context.Context, namespace, pod string, opts cluster.ExecOptions) (int, error) {
	if !validPathName(pod) {
		return -1, api.NewNotFound("pods", pod)
	}
	q := url.Values{"command": opts.Command}
	setIf(q, "container", opts.Container, opts.Container != "")
	setIf(q, "stdin", "true", opts.Stdin != nil)
	q.Set("stdout", strconv.FormatBool(opts.Stdout != nil))
	q.Set("stderr", strconv.FormatBool(opts.Stderr != nil))
	setIf(q, "tty", "true", opts.TTY)
	conn, r, err := c.upgrade(ctx, podPath(namespace, pod, "exec"), q, wire.ExecProtocol)
	if err != nil {
		return -1, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fw := wire.NewFrameWriter(conn)
	if opts.Stdin != nil {
		go sendStdin(opts.Stdin, fw)
	}
	if opts.TTY && opts.Resize != nil {
		done := make(chan struct{})
		defer close(done)
		go sendSizes(opts.Resize, fw, done)
	}
	code, err := readExecOutput(r, opts)
	if err != nil && ctx.Err() != nil {
		return -1, ctx.Err()
	}
	return code, err
}

// sendStdin copies stdin as frames and says when it has ended.
func sendStdin(in io.Reader, fw *wire.FrameWriter) {
	buf := make([]byte, wire.MaxFrame)
	for {
		n, err := in.Read(buf)
		if n > 0 && fw.WriteFrame(wire.ChanStdin, buf[:n]) != nil {
			return
		}
		if err != nil {
			fw.WriteFrame(wire.ChanClose, []byte{wire.ChanStdin})
			return
		}
	}
}

// sendSizes sends the terminal's sizes as resize frames until they end
// or the exec does.
func sendSizes(sizes <-chan cluster.TerminalSize, fw *wire.FrameWriter, done <-chan struct{}) {
	for {
		select {
		case size, ok := <-sizes:
			if !ok {
				return
			}
			b, _ := json.Marshal(size)
			if fw.WriteFrame(wire.ChanResize, b) != nil {
				return
			}
		case <-done:
			return
		}
	}
}

// readExecOutput routes output frames until the result frame.
func readExecOutput(r io.Reader, opts cluster.ExecOptions) (int, error) {
	var buf []byte
	for {
		ch, p, err := wire.ReadFrame(r, buf)
		if err != nil {
			return -1, fmt.Errorf("exec: the stream ended before the command's exit status: %w", err)
		}
		buf = p[:0]
		switch ch {
		case wire.ChanStdout:
			writeTo(opts.Stdout, p)
		case wire.ChanStderr:
			writeTo(opts.Stderr, p)
		case wire.ChanResult:
			var res wire.ExecResult
			if err := json.Unmarshal(p, &res); err != nil {
				return -1, fmt.Errorf("exec: reading the exit status: %w", err)
			}
			if res.Status != nil {
				return res.ExitCode, res.Status.Error()
			}
			return res.ExitCode, nil
		}
	}
}

func writeTo(w io.Writer, p []byte) {
	if w != nil {
		w.Write(p)
	}
}

// DialPod implements cluster.Interface: the connection is an upgraded
// connection to the engine, which splices it to the pod's port.
func (c *Client) DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	if !validPathName(pod) {
		return nil, api.NewNotFound("pods", pod)
	}
	q := url.Values{"port": {strconv.Itoa(port)}}
	conn, r, err := c.upgrade(ctx, podPath(namespace, pod, "portforward"), q, wire.PortForwardProtocol)
	if err != nil {
		return nil, err
	}
	return &bufferedConn{Conn: conn, r: r}, nil
}

// upgrade dials the engine, asks to switch to proto, and returns the raw
// connection with a reader holding whatever followed the 101 answer.
func (c *Client) upgrade(ctx context.Context, path string, q url.Values, proto string) (net.Conn, *bufio.Reader, error) {
	req, err := c.request(ctx, http.MethodPost, path, q, nil, "")
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", proto)
	conn, err := c.opts.Dial(ctx)
	if err != nil {
		return nil, nil, c.transportError(ctx, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	br := bufio.NewReader(conn)
	resp, err := roundTrip(conn, br, req)
	if err != nil {
		conn.Close()
		return nil, nil, c.transportError(ctx, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer conn.Close()
		if err := c.check(resp); err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("engine at %s: %s answered %s instead of switching to %s", c.where, path, resp.Status, proto)
	}
	if !stop() {
		conn.Close()
		return nil, nil, ctx.Err()
	}
	return conn, br, nil
}

func roundTrip(conn net.Conn, br *bufio.Reader, req *http.Request) (*http.Response, error) {
	if err := req.Write(conn); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body = io.NopCloser(bytesReader(b))
	}
	return resp, nil
}

// bufferedConn reads first what the HTTP reader had buffered.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// CloseWrite half-closes the connection when the transport allows it, so
// that the pod's side sees the end of the client's data.
func (b *bufferedConn) CloseWrite() error {
	if cw, ok := b.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("this connection cannot be half-closed")
}
