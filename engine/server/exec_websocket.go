package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/minspace/min/engine/cluster"
)

// The channel protocols of exec over WebSocket. v5 adds the CLOSE
// signal ([255, channel]) that half-closes stdin; v4 carries a JSON Status
// on the error channel; the unversioned ones carry its message as text,
// and the base64 ones send text messages ('0'+channel, then base64).
const (
	protoV5       = "v5.channel.k8s.io"
	protoV4       = "v4.channel.k8s.io"
	protoV4Base64 = "v4.base64.channel.k8s.io"
	protoV1       = "channel.k8s.io"
	protoV1Base64 = "base64.channel.k8s.io"
)

var execWebSocketProtocols = []string{protoV5, protoV4, protoV4Base64, protoV1, protoV1Base64}

// Channels of the stream protocols.
const (
	chanStdin  = 0
	chanStdout = 1
	chanStderr = 2
	chanError  = 3
	chanResize = 4
	chanClose  = 255 // v5: [255, channel] says the client sent all of channel
)

// Bounds of a WebSocket session: the largest message read (client-go
// sends stdin in 32 KiB pieces), and how long the end waits for the
// client's close frame before dropping the connection.
const (
	maxWebSocketMessage = 1 << 20
	closeGrace          = 2 * time.Second
)

// wsWriter is a WebSocket whose writes are serialised: the command's
// stdout and stderr copies write at the same time.
type wsWriter struct {
	ws     *websocket.Conn
	base64 bool
	mu     sync.Mutex
}

func (c *wsWriter) send(ch byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base64 {
		msg := make([]byte, 1+base64.StdEncoding.EncodedLen(len(p)))
		msg[0] = '0' + ch
		base64.StdEncoding.Encode(msg[1:], p)
		return c.ws.WriteMessage(websocket.TextMessage, msg)
	}
	msg := make([]byte, 1+len(p))
	msg[0] = ch
	copy(msg[1:], p)
	return c.ws.WriteMessage(websocket.BinaryMessage, msg)
}

// channel is an io.Writer sending every write on one channel.
func (c *wsWriter) channel(ch byte) io.Writer { return wsChannel{c, ch} }

type wsChannel struct {
	c  *wsWriter
	ch byte
}

func (w wsChannel) Write(p []byte) (int, error) {
	if err := w.c.send(w.ch, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// upgradeWebSocket answers a WebSocket handshake with the first of the
// client's subprotocols that the server speaks. A request naming none of
// them gets an ordinary 400 Status, so that kubectl falls back to SPDY.
func upgradeWebSocket(w http.ResponseWriter, r *http.Request, supported []string) (*websocket.Conn, error) {
	asked := websocket.Subprotocols(r)
	if len(asked) > 0 && pickProtocol(asked, supported) == "" {
		err := badUpgrade("the requested WebSocket subprotocols %q are not supported; this server speaks %q", asked, supported)
		writeError(w, err)
		return nil, err
	}
	up := websocket.Upgrader{Subprotocols: supported, ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeError(w, badUpgrade("WebSocket handshake: %v", reason))
		}}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(maxWebSocketMessage)
	return ws, nil
}

func pickProtocol(asked, supported []string) string {
	for _, a := range asked {
		for _, s := range supported {
			if a == s {
				return a
			}
		}
	}
	return ""
}

// execWebSocket serves exec over the channel protocols (kubectl 1.30 and
// later speak v5 first).
func (s *Server) execWebSocket(w http.ResponseWriter, r *http.Request, t target, req execRequest) {
	ws, err := upgradeWebSocket(w, r, execWebSocketProtocols)
	if err != nil {
		return
	}
	defer ws.Close()
	proto := ws.Subprotocol()
	if proto == "" {
		proto = protoV1 // no subprotocol asked: the kubelet's default
	}
	out := &wsWriter{ws: ws, base64: proto == protoV4Base64 || proto == protoV1Base64}
	ctx, cancel := s.streamContext(context.Background())
	defer cancel()

	var eio execIO
	in := newExecInput(req, &eio)
	if req.stdout {
		eio.stdout = out.channel(chanStdout)
	}
	if req.stderr {
		eio.stderr = out.channel(chanStderr)
	}
	// An empty message on the lowest writable channel tells the client
	// that the streams are ready, as the kubelet does.
	first := byte(chanError)
	if req.stderr {
		first = chanStderr
	}
	if req.stdout {
		first = chanStdout
	}
	out.send(first, nil)

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		err := in.readWebSocket(ws, out.base64, proto == protoV5)
		if !isNormalClose(err) {
			cancel() // the client is gone: stop the command
		}
	}()
	st := s.runExec(ctx, t, req, eio)
	in.closeStdin()
	out.send(chanError, st.encode(proto == protoV5 || proto == protoV4 || proto == protoV4Base64))
	out.mu.Lock()
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(closeGrace))
	out.mu.Unlock()
	// Closing at once could reset the connection under data the client has
	// not read yet; its close frame (or a timeout) ends the read loop.
	select {
	case <-readDone:
	case <-time.After(closeGrace):
	}
}

func isNormalClose(err error) bool {
	var ce *websocket.CloseError
	return errors.As(err, &ce) && ce.Code == websocket.CloseNormalClosure
}

// execInput feeds what the client sends to the command: stdin through a
// pipe, terminal sizes through a channel.
type execInput struct {
	stdin  *io.PipeWriter // nil without stdin
	resize chan termSize  // nil without a terminal
	once   sync.Once
}

func newExecInput(req execRequest, eio *execIO) *execInput {
	in := &execInput{}
	if req.stdin {
		r, w := io.Pipe()
		in.stdin, eio.stdin = w, r
	}
	if req.tty {
		in.resize = make(chan termSize, 1)
		eio.resize = in.resize
	}
	return in
}

func (in *execInput) closeStdin() {
	in.once.Do(func() {
		if in.stdin != nil {
			in.stdin.Close()
		}
	})
}

// readWebSocket dispatches the client's messages until the connection
// ends; it returns the read error (a CloseError for a close frame).
func (in *execInput) readWebSocket(ws *websocket.Conn, base64Codec, v5 bool) error {
	defer in.closeStdin()
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		if base64Codec && len(msg) > 0 {
			msg = decodeBase64Frame(msg)
		}
		if len(msg) == 0 {
			continue
		}
		if v5 && msg[0] == chanClose {
			if len(msg) == 2 && msg[1] == chanStdin {
				in.closeStdin()
			}
			continue
		}
		in.dispatch(msg[0], msg[1:])
	}
}

func decodeBase64Frame(msg []byte) []byte {
	p, err := base64.StdEncoding.DecodeString(string(msg[1:]))
	if err != nil || msg[0] < '0' {
		return nil
	}
	return append([]byte{msg[0] - '0'}, p...)
}

// dispatch routes one message. Stdin blocks until the command reads it
// (back-pressure, as upstream); once the command no longer reads, input
// is dropped.
func (in *execInput) dispatch(ch byte, p []byte) {
	switch ch {
	case chanStdin:
		if in.stdin != nil {
			in.stdin.Write(p)
		}
	case chanResize:
		var size termSize
		if in.resize != nil && json.Unmarshal(p, &size) == nil {
			cluster.OfferTerminalSize(in.resize, size)
		}
	}
}
