package crilog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		stream  string
		partial bool
		content string
		wantErr bool
	}{
		{name: "full", line: "2024-01-02T03:04:05.123456789Z stdout F hello world", stream: "stdout", content: "hello world"},
		{name: "partial", line: "2024-01-02T03:04:05Z stderr P abc", stream: "stderr", partial: true, content: "abc"},
		{name: "empty content", line: "2024-01-02T03:04:05Z stdout F", stream: "stdout"},
		{name: "bad tag", line: "2024-01-02T03:04:05Z stdout X abc", wantErr: true},
		{name: "bad time", line: "yesterday stdout F abc", wantErr: true},
		{name: "too short", line: "2024-01-02T03:04:05Z", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.line))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want an error", tc.line, r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Stream != tc.stream || r.Partial != tc.partial || string(r.Content) != tc.content {
				t.Errorf("Parse(%q) = %+v", tc.line, r)
			}
		})
	}
}

// clock returns a fake Now that advances one second per call from t0.
func clock(t0 time.Time) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)-1) * time.Second) }
}

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func write(t *testing.T, path string, opts Options, stream, text string) *Writer {
	t.Helper()
	w, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Copy(stream, strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWriterFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c", "0.log")
	w := write(t, path, Options{MaxLine: 4, Now: clock(t0)}, Stderr, "ab\nabcdefghij\nlast")
	w.Close()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"2024-05-06T07:08:09Z stderr F ab",
		"2024-05-06T07:08:10Z stderr P abcd",
		"2024-05-06T07:08:11Z stderr P efgh",
		"2024-05-06T07:08:12Z stderr F ij",
		"2024-05-06T07:08:13Z stderr F last",
	}, "\n") + "\n"
	if string(got) != want {
		t.Errorf("log file:\n%s\nwant:\n%s", got, want)
	}
}

func lines(n int) string { return linesFrom(1, n) }

func TestRotationAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	// Each record is 39 bytes; 200 bytes hold 5 of them.
	w := write(t, path, Options{MaxSize: 200, MaxFiles: 3, Now: clock(t0)}, Stdout, lines(16))
	defer w.Close()
	files := Files(path)
	if len(files) != 3 {
		t.Fatalf("files = %v, want 3 (MaxFiles)", files)
	}
	tests := []struct {
		name string
		opts ReadOptions
		want string
	}{
		// 16 lines in files of 5: the oldest file (lines 1-5) was dropped.
		{name: "all kept files in order", want: linesFrom(6, 16)},
		{name: "tail", opts: ReadOptions{Tail: 3}, want: linesFrom(14, 16)},
		{name: "since", opts: ReadOptions{Since: t0.Add(12 * time.Second)}, want: linesFrom(13, 16)},
		{name: "timestamps", opts: ReadOptions{Tail: 1, Timestamps: true}, want: "2024-05-06T07:08:24Z line 016\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Read(context.Background(), path, tc.opts, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.String(), tc.want)
			}
		})
	}
}

func linesFrom(a, b int) string {
	var s strings.Builder
	for i := a; i <= b; i++ {
		fmt.Fprintf(&s, "line %03d\n", i)
	}
	return s.String()
}

func TestReadJoinsPartials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	w := write(t, path, Options{MaxLine: 3, Now: clock(t0)}, Stdout, "abcdefgh\nxy\n")
	w.Close()
	var out bytes.Buffer
	if err := Read(context.Background(), path, ReadOptions{}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "abcdefgh\nxy\n" {
		t.Errorf("got %q", out.String())
	}
}

func TestFollowAcrossRotation(t *testing.T) {
	path, w := rotatingLog(t)
	pr, pw := io.Pipe()
	go w.Copy(Stdout, pr)
	var done atomic.Bool
	var out syncBuffer
	errc := make(chan error, 1)
	go func() {
		errc <- Read(context.Background(), path, ReadOptions{Follow: true, Done: done.Load, Poll: time.Millisecond}, &out)
	}()
	want := lines(20)
	for _, l := range strings.SplitAfter(want, "\n") {
		io.WriteString(pw, l)
		time.Sleep(time.Millisecond)
	}
	pw.Close()
	time.Sleep(20 * time.Millisecond)
	done.Store(true)
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end after Done")
	}
	if out.String() != want {
		t.Errorf("followed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// rotatingLog is a log at path that rotates every 100 bytes, closed when
// the test ends.
func rotatingLog(t *testing.T) (string, *Writer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "0.log")
	w, err := Create(path, Options{MaxSize: 100, MaxFiles: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return path, w
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Several rotations between two polls of a follow: the lines of every
// file rotated in between are read, in order.
func TestFollowAcrossRotationsBetweenPolls(t *testing.T) {
	path, w := rotatingLog(t)
	want := strings.SplitAfter(lines(12), "\n")
	put := func(ls []string) {
		for _, l := range ls {
			if err := w.Copy(Stdout, strings.NewReader(l)); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(want[:2])
	var done atomic.Bool
	var out syncBuffer
	errc := make(chan error, 1)
	go func() {
		errc <- Read(context.Background(), path, ReadOptions{Follow: true, Done: done.Load, Poll: 300 * time.Millisecond}, &out)
	}()
	for deadline := time.Now().Add(5 * time.Second); out.String() != strings.Join(want[:2], ""); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the follow never read the first lines: %q", out.String())
		}
	}
	put(want[2:]) // five rotations while the reader sleeps
	if n := len(rotated(path)); n < 5 {
		t.Fatalf("only %d rotations", n)
	}
	done.Store(true)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != strings.Join(want, "") {
		t.Errorf("followed:\n%s\nwant:\n%s", got, strings.Join(want, ""))
	}
}
