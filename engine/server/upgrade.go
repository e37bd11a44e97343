package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// upgradeProtocol is the protocol a request asks to switch to ("" when it
// is no upgrade request).
func upgradeProtocol(r *http.Request) string {
	if !headerHasToken(r.Header, "Connection", "upgrade") {
		return ""
	}
	return r.Header.Get("Upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// switchProtocols hijacks the connection and sends 101.
func switchProtocols(w http.ResponseWriter, proto string) (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + proto + "\r\n\r\n")
	if err := rw.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, rw, nil
}

// exec runs a command in a pod over the protocol the client asks for:
// kubectl's WebSocket channels or SPDY streams, or Min's framed protocol.
func (s *Server) exec(w http.ResponseWriter, r *http.Request, t target) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeError(w, errMethodNotAllowed())
		return
	}
	kind := streamKind(r)
	if kind != kindWebSocket && kind != kindSPDY {
		s.execMin(w, r, t)
		return
	}
	req, err := parseExecRequest(r.URL.Query())
	if err == nil {
		req.container, err = s.checkStreamTarget(r.Context(), t, req.container, true)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if kind == kindWebSocket {
		s.execWebSocket(w, r, t, req)
		return
	}
	s.execSPDY(w, r, t, req)
}

// execMin runs a command over Min's framed protocol (wire.Frame*).
func (s *Server) execMin(w http.ResponseWriter, r *http.Request, t target) {
	q := r.URL.Query()
	opts := engine.ExecOptions{Container: q.Get("container"), Command: q["command"], TTY: q.Get("tty") == "true"}
	if len(opts.Command) == 0 {
		writeError(w, api.NewBadRequest("you must specify at least 1 command"))
		return
	}
	if p := upgradeProtocol(r); p != wire.ExecProtocol {
		writeError(w, errUpgradeRequiredFor("exec", p, wire.ExecProtocol))
		return
	}
	conn, rw, err := switchProtocols(w, wire.ExecProtocol)
	if err != nil {
		return
	}
	defer conn.Close()
	ctx, cancel := s.streamContext(context.Background())
	defer cancel()
	fw := wire.NewFrameWriter(conn)
	if q.Get("stdout") != "false" {
		opts.Stdout = fw.ChannelWriter(wire.ChanStdout)
	}
	if q.Get("stderr") != "false" && !opts.TTY {
		opts.Stderr = fw.ChannelWriter(wire.ChanStderr)
	}
	stdin, stdinW := io.Pipe()
	if q.Get("stdin") == "true" {
		opts.Stdin = stdin
	}
	var sizes chan termSize
	if opts.TTY {
		sizes = make(chan termSize, 1)
		opts.Resize = sizes
	}
	go readExecInput(rw.Reader, stdinW, sizes, cancel)
	code, err := s.eng.Exec(ctx, t.namespace, t.name, opts)
	stdinW.Close()
	res := wire.ExecResult{ExitCode: code}
	if err != nil {
		st := wire.StatusOf(err)
		res.Status = &st
	}
	b, _ := json.Marshal(res)
	fw.WriteFrame(wire.ChanResult, b)
}

func errUpgradeRequiredFor(what, got, want string) error {
	if got == "" {
		return api.NewBadRequest(what + " needs an upgraded connection: send Connection: Upgrade and Upgrade: " + want)
	}
	return api.NewBadRequest(what + " speaks " + want + ", not " + strconv.Quote(got))
}

// readExecInput feeds stdin frames to the command, and resize frames (a
// JSON TerminalSize each) to sizes when it has a terminal. The client's
// end of stdin (a close frame) closes the pipe; the connection's end
// cancels the command.
func readExecInput(r io.Reader, stdin *io.PipeWriter, sizes chan termSize, cancel context.CancelFunc) {
	var buf []byte
	for {
		ch, p, err := wire.ReadFrame(r, buf)
		if err != nil {
			stdin.CloseWithError(io.EOF)
			cancel()
			return
		}
		buf = p[:0]
		switch ch {
		case wire.ChanStdin:
			if _, err := stdin.Write(p); err != nil && !errors.Is(err, io.ErrClosedPipe) {
				continue // the command no longer reads stdin: drop input
			}
		case wire.ChanResize:
			var size termSize
			if sizes != nil && json.Unmarshal(p, &size) == nil {
				cluster.OfferTerminalSize(sizes, size)
			}
		case wire.ChanClose:
			if len(p) == 1 && p[0] == wire.ChanStdin {
				stdin.Close()
			}
		}
	}
}

// portForward serves kubectl's SPDY port-forward, its WebSocket tunnel,
// or Min's own protocol.
func (s *Server) portForward(w http.ResponseWriter, r *http.Request, t target) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeError(w, errMethodNotAllowed())
		return
	}
	kind := streamKind(r)
	if kind != kindWebSocket && kind != kindSPDY {
		s.portForwardMin(w, r, t)
		return
	}
	if _, err := s.checkStreamTarget(r.Context(), t, "", false); err != nil {
		writeError(w, err)
		return
	}
	if kind == kindWebSocket {
		s.portForwardTunnel(w, r, t)
		return
	}
	s.portForwardSPDY(w, r, t)
}

// portForwardMin dials a port inside the pod first, so that a failure is
// an ordinary Status answer; then it switches protocols and copies bytes
// both ways until both directions have ended.
func (s *Server) portForwardMin(w http.ResponseWriter, r *http.Request, t target) {
	if p := upgradeProtocol(r); p != wire.PortForwardProtocol {
		writeError(w, errUpgradeRequiredFor("port-forward", p, wire.PortForwardProtocol))
		return
	}
	port, err := strconv.Atoi(r.URL.Query().Get("port"))
	if err != nil || port < 1 || port > 65535 {
		writeError(w, api.NewBadRequest("port-forward needs a port between 1 and 65535 (?port=N)"))
		return
	}
	ctx, cancel := s.streamContext(context.Background())
	defer cancel()
	pod, err := s.eng.DialPod(r.Context(), t.namespace, t.name, port)
	if err != nil {
		writeError(w, err)
		return
	}
	defer pod.Close()
	conn, rw, err := switchProtocols(w, wire.PortForwardProtocol)
	if err != nil {
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close(); pod.Close() })
	defer stop()
	splice(conn, rw.Reader, pod)
}

// splice copies client→pod and pod→client, half-closing each side when
// its source ends, and returns when both copies are done.
func splice(client net.Conn, clientR io.Reader, pod net.Conn) {
	done := make(chan struct{})
	go func() {
		io.Copy(pod, clientR)
		closeWrite(pod)
		close(done)
	}()
	io.Copy(client, pod)
	closeWrite(client)
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
