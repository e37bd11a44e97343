package printers

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

// input is a Table's JSON as it arrives from a reader, read a step at a
// time: a step parses a small piece (a key, a row, the columns) from the
// bytes at hand, and when they end inside that piece the step runs again
// on more. A streamed Table is thus decoded while the server still sends
// it, with one pass over each byte and no copy of a row before parsing.
type input struct {
	r   io.Reader
	buf []byte // unread input is buf[off:]
	off int
	eof bool
}

// errShort is what a step returns when the input ended inside the piece
// it reads.
var errShort = errors.New("unexpected end of JSON input")

// step runs fn on a parser over the unread input, reading more and
// running fn again while the input ends inside what fn reads; what fn read
// is consumed when it succeeds. fn must change nothing outside the parser
// before it succeeds.
func (in *input) step(fn func(p *rowParser) error) error {
	for {
		p := rowParser{b: in.buf[in.off:]}
		err := fn(&p)
		if !errors.Is(err, errShort) {
			if err == nil {
				in.off += p.i
			}
			return err
		}
		if in.eof {
			return io.ErrUnexpectedEOF
		}
		if err := in.fill(); err != nil {
			return err
		}
	}
}

// fill reads more input after the unread part (moved to the front).
func (in *input) fill() error {
	n := copy(in.buf, in.buf[in.off:])
	in.buf, in.off = in.buf[:n], 0
	if len(in.buf) == cap(in.buf) {
		in.buf = slices.Grow(in.buf, max(64<<10, cap(in.buf)))
	}
	m, err := in.r.Read(in.buf[n:cap(in.buf)])
	in.buf = in.buf[:n+m]
	if err == io.EOF {
		in.eof = true
		return nil
	}
	return err
}

// members reads an object or array that starts with open and ends with
// close, calling each at every member, which each reads with steps. It
// walks as rowParser.container does, a step per delimiter.
func (in *input) members(open, close byte, each func() error) error {
	var empty bool
	err := in.step(func(p *rowParser) (err error) {
		empty, err = p.enter(open, close)
		return err
	})
	for done := empty; err == nil && !done; {
		if err = each(); err == nil {
			err = in.step(func(p *rowParser) (err error) {
				done, err = p.leave(close)
				return err
			})
		}
	}
	return err
}

// memberKey reads an object member's key and its colon.
func (p *rowParser) memberKey() (string, error) {
	key, err := p.key()
	if err != nil {
		return "", err
	}
	return keyString(key)
}

// next is peek, with errShort at the end of the input.
func (p *rowParser) next() (byte, error) {
	if c := p.peek(); c != 0 {
		return c, nil
	}
	return 0, errShort
}

func (p *rowParser) errorf(format string, args ...any) error {
	if p.i >= len(p.b) {
		return errShort
	}
	return fmt.Errorf("offset %d: %s", p.i, fmt.Sprintf(format, args...))
}
