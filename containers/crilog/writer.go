package crilog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stream names as they appear in a log line.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// Options configures a Writer. The zero value means the Kubernetes defaults.
type Options struct {
	MaxSize  int64 // rotate when the file would grow past this many bytes; 10 MiB
	MaxFiles int   // files kept, the current one included; 5
	MaxLine  int   // longer lines are split into P records; 16 KiB
	// Now returns the time stamped on each line; time.Now when nil.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxSize <= 0 {
		o.MaxSize = 10 << 20
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = 5
	}
	if o.MaxLine <= 0 {
		o.MaxLine = 16 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Writer appends CRI records to one container instance's log file.
type Writer struct {
	path string
	opts Options

	mu   sync.Mutex
	f    *os.File
	size int64
	seq  int // rotation counter, part of rotated names so they sort in order
}

// Create opens (appending) the log file at path.
func Create(path string, opts Options) (*Writer, error) {
	w := &Writer{path: path, opts: opts.withDefaults()}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("crilog: %w", err)
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	if old := rotated(path); len(old) > 0 {
		fmt.Sscanf(strings.TrimPrefix(old[len(old)-1], path+"."), "%d", &w.seq)
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("crilog: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("crilog: %w", err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Close closes the current file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// Copy reads r until EOF and writes each line as a record of stream. A line
// longer than MaxLine becomes P records followed by the F record of its end; a
// last line without a newline is written as F at EOF.
func (w *Writer) Copy(stream string, r io.Reader) error {
	br := bufio.NewReaderSize(r, w.opts.MaxLine) // at least 16 bytes
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			if werr := w.chunks(stream, line[:len(line)-1], true); werr != nil {
				return werr
			}
		case errors.Is(err, bufio.ErrBufferFull):
			if werr := w.chunks(stream, line, false); werr != nil {
				return werr
			}
		default:
			if len(line) > 0 {
				if werr := w.chunks(stream, line, true); werr != nil {
					return werr
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
	}
}

// chunks writes content as records of at most MaxLine bytes: P records, and
// an F record for the last one when the line ends there.
func (w *Writer) chunks(stream string, content []byte, ends bool) error {
	for len(content) > w.opts.MaxLine {
		if err := w.record(stream, "P", content[:w.opts.MaxLine]); err != nil {
			return err
		}
		content = content[w.opts.MaxLine:]
	}
	tag := "P"
	if ends {
		tag = "F"
	}
	return w.record(stream, tag, content)
}

// record writes one CRI line, rotating first when it would not fit.
func (w *Writer) record(stream, tag string, content []byte) error {
	ts := w.opts.Now().UTC().Format(time.RFC3339Nano)
	buf := make([]byte, 0, len(ts)+len(stream)+len(content)+5)
	buf = append(buf, ts...)
	buf = append(buf, ' ')
	buf = append(buf, stream...)
	buf = append(buf, ' ')
	buf = append(buf, tag...)
	buf = append(buf, ' ')
	buf = append(buf, content...)
	buf = append(buf, '\n')

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("crilog: write %s: %w", w.path, os.ErrClosed)
	}
	if w.size > 0 && w.size+int64(len(buf)) > w.opts.MaxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(buf)
	w.size += int64(n)
	if err != nil {
		return fmt.Errorf("crilog: %w", err)
	}
	return nil
}

// rotate renames the current file to <path>.<seq> and drops the oldest
// rotated files beyond MaxFiles-1.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("crilog: %w", err)
	}
	w.f = nil
	w.seq++
	if err := os.Rename(w.path, fmt.Sprintf("%s.%09d", w.path, w.seq)); err != nil {
		return fmt.Errorf("crilog: rotate: %w", err)
	}
	old := rotated(w.path)
	for len(old) > w.opts.MaxFiles-1 {
		if err := os.Remove(old[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("crilog: rotate: %w", err)
		}
		old = old[1:]
	}
	return w.open()
}

// rotated lists the rotated files of path, oldest first.
func rotated(path string) []string {
	matches, _ := filepath.Glob(path + ".*")
	var out []string
	for _, m := range matches {
		suffix := strings.TrimPrefix(m, path+".")
		if len(suffix) == 9 && strings.Trim(suffix, "0123456789") == "" {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// Files lists every file of the log at path in order: rotated ones oldest
// first, then path itself when it exists.
func Files(path string) []string {
	out := rotated(path)
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	return out
}
