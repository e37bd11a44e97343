package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// Channels of the exec stream, numbered as Kubernetes' v5.channel.k8s.io
// numbers its channels so that one exec back end serves both.
const (
	ChanStdin  byte = 0
	ChanStdout byte = 1
	ChanStderr byte = 2
	ChanResult byte = 3 // server to client: one ExecResult, then the end
	ChanResize byte = 4 // client to server, with a terminal: one JSON TerminalSize per size
	ChanClose  byte = 255
)

// MaxFrame is the largest payload of one frame.
const MaxFrame = 32 << 10

// A frame is 1 byte of channel, 4 bytes of big-endian length, the payload.
// A ChanClose frame's payload is one byte: the channel that has ended
// (stdin EOF).

// FrameWriter writes frames; it is safe for concurrent use.
type FrameWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewFrameWriter writes frames to w.
func NewFrameWriter(w io.Writer) *FrameWriter { return &FrameWriter{w: w} }

// WriteFrame writes one frame (payloads over MaxFrame are split).
func (f *FrameWriter) WriteFrame(ch byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for first := true; first || len(p) > 0; first = false {
		n := min(len(p), MaxFrame)
		var hdr [5]byte
		hdr[0] = ch
		binary.BigEndian.PutUint32(hdr[1:], uint32(n))
		if _, err := f.w.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := f.w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// ChannelWriter is an io.Writer that sends everything on one channel.
func (f *FrameWriter) ChannelWriter(ch byte) io.Writer { return chanWriter{f, ch} }

type chanWriter struct {
	f  *FrameWriter
	ch byte
}

func (c chanWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := c.f.WriteFrame(c.ch, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ReadFrame reads one frame into buf (grown as needed) and returns its
// channel and payload.
func ReadFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("exec stream: frame of %d bytes exceeds %d", n, MaxFrame)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, err
	}
	return hdr[0], buf, nil
}
