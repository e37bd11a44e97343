package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
	"k8s.io/apimachinery/pkg/util/remotecommand"

	"github.com/minspace/min/engine/cluster"
)

// streamCreationTimeout bounds the wait for a client's SPDY streams after
// the upgrade, and streamIdleTimeout how long a SPDY connection may carry
// no frame at all before it is closed (the kubelet's defaults).
const (
	streamCreationTimeout = 30 * time.Second
	streamIdleTimeout     = 4 * time.Hour
)

// spdyStream is a stream the client opened, with the signal that the
// server's reply to it went out (writing before it would be refused).
type spdyStream struct {
	httpstream.Stream
	replySent <-chan struct{}
}

// spdyExecStreams are the streams of one exec, by their streamType header.
type spdyExecStreams struct {
	errorS, stdin, stdout, stderr, resize httpstream.Stream
}

// execSPDY serves exec over SPDY/3.1 (kubectl's fallback, and what client
// versions before 1.30 speak): streams named by a streamType header,
// protocol versions v4 down to v1 negotiated with X-Stream-Protocol-Version.
func (s *Server) execSPDY(w http.ResponseWriter, r *http.Request, t target, req execRequest) {
	proto, err := httpstream.Handshake(r, w, remotecommand.SupportedStreamingProtocols)
	if err != nil {
		return // Handshake answered 403 with the versions it speaks
	}
	ctx, cancel := s.streamContext(context.Background())
	defer cancel()
	incoming := make(chan spdyStream)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, func(st httpstream.Stream, replySent <-chan struct{}) error {
		select {
		case incoming <- spdyStream{st, replySent}:
			return nil
		case <-ctx.Done():
			return errors.New("exec: this session has ended")
		}
	})
	if conn == nil {
		return // the upgrader answered
	}
	defer conn.Close()
	conn.SetIdleTimeout(streamIdleTimeout)
	context.AfterFunc(ctx, func() { conn.Close() })
	go func() {
		<-conn.CloseChan() // the client is gone: stop the command
		cancel()
	}()

	resize := req.tty && proto != remotecommand.StreamProtocolV2Name && proto != remotecommand.StreamProtocolV1Name && proto != ""
	streams, err := waitExecStreams(ctx, incoming, req, resize)
	if err != nil {
		s.opts.Log.Printf("engine server: exec in %s/%s: %v", t.namespace, t.name, err)
		return
	}
	var eio execIO
	if streams.stdin != nil {
		eio.stdin = streams.stdin
	}
	if streams.stdout != nil {
		eio.stdout = streams.stdout
	}
	if streams.stderr != nil {
		eio.stderr = streams.stderr
	}
	if streams.resize != nil {
		sizes := make(chan termSize, 1)
		eio.resize = sizes
		go readResizes(streams.resize, sizes)
	}
	st := s.runExec(ctx, t, req, eio)
	for _, out := range []httpstream.Stream{streams.stdout, streams.stderr} {
		if out != nil {
			out.Close() // the end of output, before the status
		}
	}
	jsonStatus := proto == remotecommand.StreamProtocolV4Name || proto == remotecommand.StreamProtocolV5Name
	if b := st.encode(jsonStatus); len(b) > 0 {
		streams.errorS.Write(b)
	}
	streams.errorS.Close()
	// client-go closes the connection once it has read the status; closing
	// first would reset streams whose data it may not have read yet.
	select {
	case <-conn.CloseChan():
	case <-time.After(closeGrace):
	}
}

// waitExecStreams collects the streams the request announces: error,
// then stdin, stdout, stderr and resize as asked, each usable once its
// reply has gone out.
func waitExecStreams(ctx context.Context, incoming <-chan spdyStream, req execRequest, resize bool) (spdyExecStreams, error) {
	var got spdyExecStreams
	want := 1
	for _, b := range []bool{req.stdin, req.stdout, req.stderr, resize} {
		if b {
			want++
		}
	}
	timeout := time.NewTimer(streamCreationTimeout)
	defer timeout.Stop()
	var replies []<-chan struct{}
	for n := 0; n < want; {
		select {
		case st := <-incoming:
			slot := got.slot(st.Headers().Get("streamType"))
			if slot == nil {
				st.Reset()
				return got, fmt.Errorf("unexpected stream type %q", st.Headers().Get("streamType"))
			}
			*slot = st.Stream
			replies = append(replies, st.replySent)
			n++
		case <-timeout.C:
			return got, errors.New("timed out waiting for the client to create streams")
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
	for _, r := range replies {
		select {
		case <-r:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
	if got.errorS == nil {
		return got, errors.New("the client opened no error stream")
	}
	return got, nil
}

func (s *spdyExecStreams) slot(streamType string) *httpstream.Stream {
	switch streamType {
	case "error":
		return &s.errorS
	case "stdin":
		return &s.stdin
	case "stdout":
		return &s.stdout
	case "stderr":
		return &s.stderr
	case "resize":
		return &s.resize
	}
	return nil
}

// readResizes decodes the resize stream: one JSON TerminalSize per change.
func readResizes(r io.Reader, sizes chan termSize) {
	defer close(sizes)
	dec := json.NewDecoder(r)
	for {
		var size termSize
		if err := dec.Decode(&size); err != nil {
			return
		}
		cluster.OfferTerminalSize(sizes, size)
	}
}
