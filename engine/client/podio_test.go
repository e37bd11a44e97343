package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

// podIO is an engine whose pod I/O is scripted, so the wire protocol of
// logs, exec and port-forward is tested without containers (the real
// containers are in the root-only test of engine/daemon).
type podIO struct {
	*engine.Engine
	echo net.Listener
}

func (p podIO) Logs(ctx context.Context, ns, pod string, opts cluster.LogOptions, w io.Writer) error {
	switch pod {
	case "follow":
		for i := 0; ; i++ {
			if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(5 * time.Millisecond):
			}
		}
	case "broken":
		fmt.Fprintf(w, "partial\n")
		return api.NewBadRequest("the log file went away")
	}
	fmt.Fprintf(w, "c=%s follow=%t prev=%t ts=%t tail=%d since=%d\n", opts.Container, opts.Follow, opts.Previous,
		opts.Timestamps, deref(opts.TailLines), deref(opts.SinceSeconds))
	return nil
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func (p podIO) Exec(ctx context.Context, ns, pod string, opts cluster.ExecOptions) (int, error) {
	switch opts.Command[0] {
	case "missing":
		return -1, api.NewNotFound("pods", pod)
	case "sleep":
		<-ctx.Done()
		return -1, ctx.Err()
	case "size": // waits for the terminal size named, as later sizes replace earlier ones
		for opts.Resize != nil {
			select {
			case sz := <-opts.Resize:
				if got := fmt.Sprintf("%dx%d", sz.Width, sz.Height); got == opts.Command[1] {
					fmt.Fprintln(opts.Stdout, got)
					return 0, nil
				}
			case <-ctx.Done():
				return -1, ctx.Err()
			}
		}
		return 1, nil
	}
	fmt.Fprintf(opts.Stdout, "cmd=%s tty=%t container=%s\n", strings.Join(opts.Command, " "), opts.TTY, opts.Container)
	if opts.Stderr != nil {
		fmt.Fprintf(opts.Stderr, "to stderr\n")
	}
	if opts.Stdin != nil {
		io.Copy(opts.Stdout, opts.Stdin) // ends at the client's stdin EOF
	}
	return 3, nil
}

func (p podIO) DialPod(ctx context.Context, ns, pod string, port int) (net.Conn, error) {
	if port != 7 {
		return nil, api.NewBadRequest(fmt.Sprintf("nothing listens on port %d", port))
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", p.echo.Addr().String())
}

func servePodIO(t *testing.T) *client.Client {
	e := enginetest.InProcess(t)
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	dir, _ := os.MkdirTemp("", "minsock")
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(podIO{e, echo}, server.Options{Log: log.New(io.Discard, "", 0)})
	hs := &http.Server{Handler: srv}
	hs.RegisterOnShutdown(srv.CloseStreams)
	go hs.Serve(l)
	c := client.New(sock, client.Options{})
	t.Cleanup(func() { c.Close(); hs.Shutdown(context.Background()); echo.Close(); os.RemoveAll(dir) })
	return c
}

func TestLogsOverSocket(t *testing.T) {
	c := servePodIO(t)
	ctx := context.Background()
	var buf bytes.Buffer
	tail, since := int64(2), int64(60)
	err := c.Logs(ctx, "default", "web", cluster.LogOptions{Container: "c1", Previous: true, Timestamps: true, TailLines: &tail, SinceSeconds: &since}, &buf)
	if err != nil || buf.String() != "c=c1 follow=false prev=true ts=true tail=2 since=60\n" {
		t.Fatalf("options: %q %v", buf.String(), err)
	}
	buf.Reset()
	err = c.Logs(ctx, "default", "broken", cluster.LogOptions{}, &buf)
	if !errors.Is(err, api.ErrBadRequest) || err.Error() != "the log file went away" || buf.String() != "partial\n" {
		t.Fatalf("error after the body started: %q %v", buf.String(), err)
	}
	// A followed log streams line by line and ends with the context.
	fctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- c.Logs(fctx, "default", "follow", cluster.LogOptions{Follow: true}, pw); pw.Close() }()
	buf2 := make([]byte, 64)
	n, _ := io.ReadAtLeast(pr, buf2, len("line 0\nline 1\n"))
	if !strings.HasPrefix(string(buf2[:n]), "line 0\nline 1\n") {
		t.Fatalf("streamed %q", buf2[:n])
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("follow ended with %v", err)
	}
}

func TestExecOverSocket(t *testing.T) {
	c := servePodIO(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	code, err := c.Exec(ctx, "default", "web", cluster.ExecOptions{Container: "c1", Command: []string{"sh", "-c", "x"},
		Stdin: strings.NewReader(strings.Repeat("in", 40000)), Stdout: &out, Stderr: &errOut})
	if err != nil || code != 3 {
		t.Fatalf("exit %d %v", code, err)
	}
	if want := "cmd=sh -c x tty=false container=c1\n" + strings.Repeat("in", 40000); out.String() != want || errOut.String() != "to stderr\n" {
		t.Fatalf("stdout %d bytes %q…, stderr %q", out.Len(), out.String()[:min(out.Len(), 60)], errOut.String())
	}
	out.Reset()
	code, err = c.Exec(ctx, "default", "web", cluster.ExecOptions{Command: []string{"tty"}, TTY: true, Stdout: &out, Stderr: &errOut})
	if err != nil || code != 3 || out.String() != "cmd=tty tty=true container=\n" {
		t.Fatalf("tty: %d %v %q", code, err, out.String())
	}
	_, err = c.Exec(ctx, "default", "web", cluster.ExecOptions{Command: []string{"missing"}})
	if !errors.Is(err, api.ErrNotFound) || err.Error() != `pods "web" not found` {
		t.Fatalf("error after the upgrade: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = c.Exec(sctx, "default", "web", cluster.ExecOptions{Command: []string{"sleep"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled exec: %v", err)
	}
}

// A terminal's sizes reach the exec over Min's framed protocol.
func TestExecTerminalSizesOverSocket(t *testing.T) {
	c := servePodIO(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sizes := make(chan cluster.TerminalSize, 2)
	sizes <- cluster.TerminalSize{Width: 100, Height: 30}
	sizes <- cluster.TerminalSize{Width: 80, Height: 24}
	var out bytes.Buffer
	code, err := c.Exec(ctx, "default", "web", cluster.ExecOptions{Command: []string{"size", "80x24"}, TTY: true,
		Stdout: &out, Resize: sizes})
	if err != nil || code != 0 || out.String() != "80x24\n" {
		t.Fatalf("code %d err %v out %q", code, err, out.String())
	}
}

func TestDialPodOverSocket(t *testing.T) {
	c := servePodIO(t)
	ctx := context.Background()
	conn, err := c.DialPod(ctx, "default", "web", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	msg := strings.Repeat("ping", 10000)
	go func() {
		io.WriteString(conn, msg)
		conn.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != msg {
		t.Fatalf("echo: %d bytes, %v", len(got), err)
	}
	_, err = c.DialPod(ctx, "default", "web", 8)
	if !errors.Is(err, api.ErrBadRequest) || err.Error() != "nothing listens on port 8" {
		t.Fatalf("refused port: %v", err)
	}
}
