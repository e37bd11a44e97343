package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/minspace/min/engine/api"
)

// Upgrade protocols of kubectl's streams (Upgrade header values).
const (
	kindWebSocket = "websocket"
	kindSPDY      = "SPDY/3.1"
)

// streamKind says which family of protocols an upgrade request asks for.
func streamKind(r *http.Request) string {
	p := upgradeProtocol(r)
	switch {
	case strings.EqualFold(p, kindWebSocket):
		return kindWebSocket
	case strings.EqualFold(p, kindSPDY):
		return kindSPDY
	}
	return p
}

func badUpgrade(format string, args ...any) error {
	return api.NewBadRequest(fmt.Sprintf(format, args...))
}

// wsConn is a net.Conn over a WebSocket's binary messages, for the SPDY
// session of the port-forward tunnel: a read continues across messages,
// a write is one message.
type wsConn struct {
	ws  *websocket.Conn
	r   io.Reader // the message being read
	wmu sync.Mutex
	cmu sync.Once
}

func newWSConn(ws *websocket.Conn) *wsConn { return &wsConn{ws: ws} }

func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				if isNormalClose(err) {
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errors.New("port-forward tunnel: a text message where SPDY frames were expected")
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if err == io.EOF {
			c.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (c *wsConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close sends a normal close frame, then closes the connection.
func (c *wsConn) Close() error {
	var err error
	c.cmu.Do(func() {
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		err = c.ws.Close()
	})
	return err
}

func (c *wsConn) LocalAddr() net.Addr                { return c.ws.LocalAddr() }
func (c *wsConn) RemoteAddr() net.Addr               { return c.ws.RemoteAddr() }
func (c *wsConn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *wsConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
func (c *wsConn) SetDeadline(t time.Time) error {
	return errors.Join(c.ws.SetReadDeadline(t), c.ws.SetWriteDeadline(t))
}
