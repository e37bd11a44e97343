package containers

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/shim"
)

// Exec runs argv inside a running container (its namespaces, cgroup and
// confinement) and returns its exit code. stdin may be nil. With tty the
// process gets a terminal in the container's devpts whose output goes to
// stdout (stderr is unused). Cancelling ctx kills the process.
func (r *Runtime) Exec(ctx context.Context, uid, container string, argv []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) (int, error) {
	return r.ExecWith(ctx, uid, container, argv, ExecIO{Stdin: stdin, Stdout: stdout, Stderr: stderr, TTY: tty})
}

// ExecIO is the plumbing of an exec.
type ExecIO struct {
	Stdin          io.Reader // nil: /dev/null
	Stdout, Stderr io.Writer // nil: discarded
	TTY            bool
	// Size is the terminal's initial size and Resize its later sizes
	// (both used only with TTY; zero Size leaves the kernel's 0x0).
	Size   TermSize
	Resize <-chan TermSize
}

// TermSize is a terminal size in characters.
type TermSize struct{ Rows, Cols uint16 }

// ExecWith is Exec with terminal sizes.
func (r *Runtime) ExecWith(ctx context.Context, uid, container string, argv []string, eio ExecIO) (int, error) {
	if len(argv) == 0 {
		return 0, fmt.Errorf("containers: exec: empty command: %w", ErrInvalid)
	}
	conn, err := shim.Dial(r.podDir(uid))
	if err != nil {
		return 0, fmt.Errorf("containers: pod %s: %w", uid, ErrNotRunning)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	s := stdio{eio: eio}
	if !eio.TTY {
		if err := s.pipes(eio.Stdin, eio.Stdout, eio.Stderr); err != nil {
			return 0, fmt.Errorf("containers: exec: %w", err)
		}
	}
	req := shim.Request{Op: "exec", Container: container, Argv: argv, TTY: eio.TTY,
		Rows: eio.Size.Rows, Cols: eio.Size.Cols}
	err = shim.Send(conn, req, s.remote...)
	s.closeRemote()
	if err == nil {
		err = s.started(conn)
	}
	var resp shim.Response
	if err == nil {
		resp, _, err = shim.Receive(conn)
	}
	s.finish()
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("containers: exec in %s/%s: %w", uid, container, err)
	}
	return resp.ExitCode, nil
}

// started reads the shim's first response; with a tty it carries the
// terminal's master, which the copies then use.
func (s *stdio) started(conn *net.UnixConn) error {
	_, files, err := shim.Receive(conn)
	if err != nil {
		for _, f := range files {
			f.Close()
		}
		return err
	}
	if !s.eio.TTY {
		return nil
	}
	if len(files) != 1 {
		return fmt.Errorf("shim passed %d descriptors for a terminal", len(files))
	}
	s.terminal(files[0])
	return nil
}

// stdio is the plumbing of one exec: the descriptors passed to the shim and
// the copies on our side.
type stdio struct {
	eio    ExecIO
	done   chan struct{} // closed by finish: ends the resize loop
	remote []*os.File    // sent to the shim, closed here after sending
	local  []*os.File    // our ends
	out    sync.WaitGroup
}

func (s *stdio) pipes(stdin io.Reader, stdout, stderr io.Writer) error {
	in, err := s.input(stdin)
	if err != nil {
		return err
	}
	s.remote = append(s.remote, in)
	for _, w := range []io.Writer{stdout, stderr} {
		pr, pw, err := os.Pipe()
		if err != nil {
			return err
		}
		s.remote = append(s.remote, pw)
		s.local = append(s.local, pr)
		s.copyOut(w, pr)
	}
	return nil
}

// input returns the stdin to pass: /dev/null, or a pipe fed from r.
func (s *stdio) input(r io.Reader) (*os.File, error) {
	if r == nil {
		return os.Open(os.DevNull)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s.local = append(s.local, pw)
	go func() {
		io.Copy(pw, r)
		pw.Close()
	}()
	return pr, nil
}

func (s *stdio) terminal(master *os.File) {
	s.local = append(s.local, master) // the shim applied the initial size
	s.done = make(chan struct{})
	go func() {
		for {
			select {
			case size, ok := <-s.eio.Resize:
				if !ok {
					return
				}
				resize(master, size)
			case <-s.done:
				return
			}
		}
	}()
	if s.eio.Stdin != nil {
		go io.Copy(master, s.eio.Stdin)
	}
	s.copyOut(s.eio.Stdout, master)
}

// resize sets the terminal's size. It goes through the file's SyscallConn
// so that a Close of the master at the end of the exec waits for it
// instead of racing it (Fd would hand out a descriptor Close may reuse).
func resize(master *os.File, size TermSize) {
	if size.Rows == 0 && size.Cols == 0 {
		return
	}
	rc, err := master.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: size.Rows, Col: size.Cols})
	})
}

func (s *stdio) copyOut(w io.Writer, r *os.File) {
	if w == nil {
		w = io.Discard
	}
	s.out.Add(1)
	go func() {
		defer s.out.Done()
		io.Copy(w, r) // ends at EOF, or EIO for a terminal whose slave is gone
	}()
}

func (s *stdio) closeRemote() {
	for _, f := range s.remote {
		f.Close()
	}
}

// finish waits for the output copies, then closes our ends. The process has
// exited, so its pipes reach EOF once its last holder is gone.
func (s *stdio) finish() {
	s.out.Wait() // a terminal's master reads EIO once the slave is gone: its EOF
	if s.done != nil {
		close(s.done)
	}
	for _, f := range s.local {
		f.Close()
	}
}
