package crilog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// ReadOptions selects and formats lines. The zero value returns every line
// without timestamps and does not follow.
type ReadOptions struct {
	Tail       int       // only the last Tail lines; 0 means all
	Since      time.Time // only lines stamped at or after Since
	Timestamps bool      // prefix each line with its RFC3339Nano timestamp
	Follow     bool      // keep reading as the log grows and rotates
	// Done ends a follow once it returns true and the file is read to its
	// end (the container has exited). Nil follows until ctx ends.
	Done func() bool
	// Poll is the follow interval; 50 ms when zero.
	Poll time.Duration
}

// Record is one parsed CRI log line.
type Record struct {
	Time    time.Time
	Stream  string
	Partial bool
	Content []byte
}

// Parse splits one CRI log line (without its newline).
func Parse(line []byte) (Record, error) {
	var r Record
	fields := bytes.SplitN(line, []byte{' '}, 4)
	if len(fields) < 3 {
		return r, fmt.Errorf("crilog: malformed line %q", line)
	}
	t, err := time.Parse(time.RFC3339Nano, string(fields[0]))
	if err != nil {
		return r, fmt.Errorf("crilog: malformed timestamp: %w", err)
	}
	r.Time, r.Stream = t, string(fields[1])
	switch string(fields[2]) {
	case "P":
		r.Partial = true
	case "F":
	default:
		return r, fmt.Errorf("crilog: malformed tag %q", fields[2])
	}
	if len(fields) == 4 {
		r.Content = fields[3]
	}
	return r, nil
}

// Read writes the lines of the log at path (its rotated files first) to w.
func Read(ctx context.Context, path string, opts ReadOptions, w io.Writer) error {
	out := &emitter{w: w, opts: opts}
	if opts.Tail > 0 {
		out.ring = make([][]byte, 0, opts.Tail)
	}
	files := Files(path)
	for i, name := range files {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // rotated away while we listed
		}
		if err != nil {
			return fmt.Errorf("crilog: %w", err)
		}
		br := bufio.NewReader(f)
		out.carry = nil
		err = out.drain(br)
		if err == nil && opts.Follow && i == len(files)-1 && name == path {
			if err = out.flush(); err == nil {
				err = follow(ctx, path, f, br, out)
			}
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := out.flush(); err != nil {
		return err
	}
	if opts.Follow && (len(files) == 0 || files[len(files)-1] != path) {
		return follow(ctx, path, nil, nil, out)
	}
	return nil
}

// follow reads the file at path as it grows, moving to the new file when the
// writer rotates.
func follow(ctx context.Context, path string, f *os.File, br *bufio.Reader, out *emitter) error {
	poll := out.opts.Poll
	if poll <= 0 {
		poll = 50 * time.Millisecond
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for {
		if f != nil {
			if err := out.drain(br); err != nil {
				return err
			}
			if rotatedAway(path, f) {
				nf, err := readRotatedAfter(path, f, out)
				f.Close()
				if err != nil {
					return err
				}
				f, br = nf, nil
				if nf != nil {
					br = bufio.NewReader(nf)
				}
				continue
			}
		} else if nf, err := os.Open(path); err == nil {
			f, br = nf, bufio.NewReader(nf)
			continue
		}
		if out.opts.Done != nil && out.opts.Done() {
			if f != nil {
				return out.drain(br)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// readRotatedAfter reads the files the writer rotated after f, which it
// has renamed: the writer may rotate more than once between two polls,
// and each file in between holds lines. It returns the live file at path
// opened, nil when there is none yet. When f's file is gone (rotated out
// of the MaxFiles kept) nothing can be caught up; reading goes on at path.
func readRotatedAfter(path string, f *os.File, out *emitter) (*os.File, error) {
	last, ok := inode(f.Stat())
	for ok {
		names := rotated(path)
		i := indexOfInode(names, last)
		if i < 0 {
			break
		}
		if i == len(names)-1 { // caught up: the live file comes next
			live := openLive(path, out)
			if after := rotated(path); live == nil || len(after) == 0 || after[len(after)-1] == names[i] {
				return live, nil
			}
			live.Close() // rotated again meanwhile: catch up again
			continue
		}
		next, err := os.Open(names[i+1])
		if err != nil {
			break // rotated out while we read
		}
		out.carry = nil
		err = out.drain(bufio.NewReader(next))
		last, ok = inode(next.Stat())
		next.Close()
		if err != nil {
			return nil, err
		}
	}
	return openLive(path, out), nil
}

// openLive opens the live file at path for the follow to go on with; nil
// when the writer has not created it yet.
func openLive(path string, out *emitter) *os.File {
	out.carry = nil
	live, err := os.Open(path)
	if err != nil {
		return nil
	}
	return live
}

// inode is the inode number of a file's FileInfo.
func inode(fi os.FileInfo, err error) (uint64, bool) {
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Ino, true
}

// indexOfInode is the index of the file among names with inode ino, or -1.
func indexOfInode(names []string, ino uint64) int {
	for i, n := range names {
		if got, ok := inode(os.Stat(n)); ok && got == ino {
			return i
		}
	}
	return -1
}

// rotatedAway reports whether path now names another file than f.
func rotatedAway(path string, f *os.File) bool {
	a, err1 := os.Stat(path)
	b, err2 := f.Stat()
	if err1 != nil || err2 != nil {
		return err1 != nil
	}
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Ino != sb.Ino
}

// emitter joins partial records into lines, filters and formats them.
type emitter struct {
	w       io.Writer
	opts    ReadOptions
	carry   []byte    // an incomplete line read at the end of a file
	pending []byte    // content of P records so far
	first   time.Time // timestamp of the first record of pending
	ring    [][]byte  // last Tail lines while reading before a follow
	ringPos int
	flushed bool
}

// drain consumes complete lines from br; a trailing incomplete line is left
// for the next call (the writer is mid-write).
func (e *emitter) drain(br *bufio.Reader) error {
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			// An incomplete last line: the writer is mid-write. Keep it
			// and prepend it to what the next drain reads.
			e.carry = append(e.carry, line...)
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("crilog: %w", err)
		}
		if len(e.carry) > 0 {
			line = append(e.carry, line...)
			e.carry = nil
		}
		if err := e.line(line[:len(line)-1]); err != nil {
			return err
		}
	}
}

func (e *emitter) line(raw []byte) error {
	rec, err := Parse(raw)
	if err != nil {
		return nil // skip garbage rather than fail a whole read
	}
	if len(e.pending) == 0 {
		e.first = rec.Time
	}
	e.pending = append(e.pending, rec.Content...)
	if rec.Partial {
		return nil
	}
	content, ts := e.pending, e.first
	e.pending = nil
	if !e.opts.Since.IsZero() && ts.Before(e.opts.Since) {
		return nil
	}
	var b []byte
	if e.opts.Timestamps {
		b = append(b, ts.UTC().Format(time.RFC3339Nano)...)
		b = append(b, ' ')
	}
	b = append(b, content...)
	b = append(b, '\n')
	return e.emit(b)
}

func (e *emitter) emit(b []byte) error {
	if e.ring != nil && !e.flushed {
		if len(e.ring) < cap(e.ring) {
			e.ring = append(e.ring, b)
		} else {
			e.ring[e.ringPos] = b
			e.ringPos = (e.ringPos + 1) % len(e.ring)
		}
		return nil
	}
	_, err := e.w.Write(b)
	return err
}

// flush writes the tail kept in the ring, once.
func (e *emitter) flush() error {
	if e.flushed {
		return nil
	}
	e.flushed = true
	for i := range e.ring {
		if _, err := e.w.Write(e.ring[(e.ringPos+i)%len(e.ring)]); err != nil {
			return err
		}
	}
	return nil
}
