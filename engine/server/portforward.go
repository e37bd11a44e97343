package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
)

// Port-forward protocols: SPDY with portforward.k8s.io streams, and the
// same SPDY session carried in the binary messages of a WebSocket
// (kubectl 1.30 and later try that first).
const (
	portForwardProtocol = "portforward.k8s.io"
	tunnelProtocol      = "SPDY/3.1+" + portForwardProtocol
)

// portForwardSPDY serves kubectl's SPDY port-forward: for each local
// connection the client opens an error stream and a data stream with the
// same requestID and port headers.
func (s *Server) portForwardSPDY(w http.ResponseWriter, r *http.Request, t target) {
	if _, err := httpstream.Handshake(r, w, []string{portForwardProtocol}); err != nil {
		return // Handshake answered 403
	}
	f := s.newForwardSession(t)
	defer f.cancel()
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, f.newStream)
	if conn == nil {
		return
	}
	f.serve(conn)
}

// portForwardTunnel serves the SPDY session inside a WebSocket.
func (s *Server) portForwardTunnel(w http.ResponseWriter, r *http.Request, t target) {
	ws, err := upgradeWebSocket(w, r, []string{tunnelProtocol})
	if err != nil {
		return
	}
	f := s.newForwardSession(t)
	defer f.cancel()
	conn, err := spdy.NewServerConnection(newWSConn(ws), f.newStream)
	if err != nil {
		ws.Close()
		return
	}
	f.serve(conn)
}

// forwardSession pairs the streams of one port-forward connection and
// forwards each pair to the pod.
type forwardSession struct {
	s      *Server
	t      target
	ctx    context.Context
	cancel context.CancelFunc
	ready  chan struct{} // closed once conn is set
	conn   httpstream.Connection

	mu    sync.Mutex
	pairs map[string]*streamPair
	wg    sync.WaitGroup
}

// streamPair is one forwarded connection: its data and error streams.
type streamPair struct {
	id, port      string
	data, errorS  spdyStream
	haveData, err bool
	timer         *time.Timer
}

func (s *Server) newForwardSession(t target) *forwardSession {
	f := &forwardSession{s: s, t: t, ready: make(chan struct{}), pairs: map[string]*streamPair{}}
	f.ctx, f.cancel = s.streamContext(context.Background())
	return f
}

// serve runs until the client closes the connection or the server stops
// its streams, then waits for the forwarded connections to end.
func (f *forwardSession) serve(conn httpstream.Connection) {
	conn.SetIdleTimeout(streamIdleTimeout)
	f.conn = conn
	close(f.ready)
	select {
	case <-conn.CloseChan():
	case <-f.ctx.Done():
	}
	f.cancel()
	conn.Close()
	f.wg.Wait()
}

// newStream is the connection's NewStreamHandler: an error returned
// refuses the stream.
func (f *forwardSession) newStream(st httpstream.Stream, replySent <-chan struct{}) error {
	h := st.Headers()
	portText, id := h.Get("port"), h.Get("requestID")
	port, err := strconv.ParseUint(portText, 10, 16)
	switch {
	case portText == "":
		return fmt.Errorf("%q header is required", "port")
	case err != nil:
		return fmt.Errorf("unable to parse %q as a port: %w", portText, err)
	case port == 0:
		return fmt.Errorf("port %q must be > 0", portText)
	case id == "":
		return fmt.Errorf("%q header is required", "requestID")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.pairs[id]
	if p == nil {
		p = &streamPair{id: id, port: portText}
		p.timer = time.AfterFunc(streamCreationTimeout, func() { f.expire(id) })
		f.pairs[id] = p
	}
	switch h.Get("streamType") {
	case "data":
		if p.haveData {
			return fmt.Errorf("a data stream already exists for request %s", id)
		}
		p.data, p.haveData = spdyStream{st, replySent}, true
	case "error":
		if p.err {
			return fmt.Errorf("an error stream already exists for request %s", id)
		}
		p.errorS, p.err = spdyStream{st, replySent}, true
	default:
		return fmt.Errorf("invalid stream type %q", h.Get("streamType"))
	}
	if p.haveData && p.err {
		p.timer.Stop()
		delete(f.pairs, id)
		f.wg.Add(1)
		go f.forward(p, int(port))
	}
	return nil
}

// expire drops a pair whose second stream never came.
func (f *forwardSession) expire(id string) {
	f.mu.Lock()
	p := f.pairs[id]
	delete(f.pairs, id)
	f.mu.Unlock()
	if p == nil {
		return
	}
	if p.err {
		<-p.errorS.replySent
		fmt.Fprintf(p.errorS, "timed out waiting for the data stream of request %s", id)
		p.errorS.Close()
	}
	for _, st := range []spdyStream{p.data, p.errorS} {
		if st.Stream != nil {
			st.Reset()
		}
	}
}

// forward dials the port inside the pod and copies both ways. A failure
// to dial is text on the error stream, which kubectl prints as "an error
// occurred forwarding L -> R: <text>".
func (f *forwardSession) forward(p *streamPair, port int) {
	defer f.wg.Done()
	for _, r := range []<-chan struct{}{p.data.replySent, p.errorS.replySent, f.ready} {
		select {
		case <-r:
		case <-f.ctx.Done():
			return
		}
	}
	defer f.conn.RemoveStreams(p.data.Stream, p.errorS.Stream)
	defer p.errorS.Close()
	defer p.data.Close()
	pod, err := f.s.eng.DialPod(f.ctx, f.t.namespace, f.t.name, port)
	if err != nil {
		fmt.Fprintf(p.errorS, "error forwarding port %d to pod %s/%s: %v", port, f.t.namespace, f.t.name, err)
		return
	}
	defer pod.Close()
	stop := context.AfterFunc(f.ctx, func() { pod.Close() })
	defer stop()
	pipeBoth(p.data, pod)
}

// pipeBoth copies client→pod and pod→client. When the client has sent
// everything the pod's side is half-closed; when the pod has, the
// client's data stream is, and the forwarded connection ends: client-go
// then reads the error stream to its end and closes its local socket,
// which ends the other copy.
func pipeBoth(data httpstream.Stream, pod net.Conn) {
	go func() {
		io.Copy(pod, data)
		closeWrite(pod)
	}()
	io.Copy(data, pod)
	data.Close()
}
