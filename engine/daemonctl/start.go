package daemonctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minspace/min/engine/client"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
	"golang.org/x/sys/unix"
)

// Errors of the daemon's management calls.
var (
	// ErrNotRunning: no engine answers for the state directory.
	ErrNotRunning = errors.New("no engine is running")
	// ErrAlreadyRunning: Start found an engine answering already.
	ErrAlreadyRunning = errors.New("an engine is already running")
)

// State is what Status reports.
type State struct {
	PID     int
	Socket  string
	Version wire.Version
}

// Status reports the engine serving home, or ErrNotRunning.
func Status(home string) (State, error) {
	st := State{Socket: SocketPath(home)}
	v, err := ping(home, 2*time.Second)
	if err != nil {
		return st, err
	}
	st.Version, st.PID = v, ReadPID(home)
	return st, nil
}

// ping asks the engine of home for its version.
func ping(home string, timeout time.Duration) (wire.Version, error) {
	c := client.New(SocketPath(home), client.Options{})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	v, err := c.Ping(ctx)
	if errors.Is(err, client.ErrVersionMismatch) {
		return v, err
	}
	if err != nil {
		return v, fmt.Errorf("%w for %s: %v", ErrNotRunning, home, err)
	}
	return v, nil
}

// Start starts a detached engine for home and waits until it answers. If
// one answers already, it returns an error matching ErrAlreadyRunning.
func Start(home string, opts Options) (State, error) {
	opts = opts.withDefaults()
	if st, err := Status(home); err == nil {
		return st, fmt.Errorf("%w for %s (pid %d)", ErrAlreadyRunning, home, st.PID)
	}
	if err := EnsureHome(home); err != nil {
		return State{}, fmt.Errorf("engine: state directory: %w", err)
	}
	cmd, logf, err := detachedCommand(home, opts)
	if err != nil {
		return State{}, err
	}
	defer logf.Close()
	logStart, _ := logf.Seek(0, 2)
	if err := cmd.Start(); err != nil {
		return State{}, fmt.Errorf("engine: starting %s: %w", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reap it whenever it ends
	return waitReady(home, opts, cmd.Process.Pid, exited, logStart)
}

// detachedCommand is the re-exec of this binary as a detached engine: a
// new session, no terminal, output appended to engine.log.
func detachedCommand(home string, opts Options) (*exec.Cmd, *os.File, error) {
	argv := opts.Command
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, nil, fmt.Errorf("engine: finding this program to re-run it: %w", err)
		}
		argv = []string{exe, "engine"}
	}
	args := append(append([]string{}, argv[1:]...), "--home", home, "--detached")
	if opts.Listen != "" {
		args = append(args, "--listen", opts.Listen)
	}
	if opts.AllowNonLoopback {
		args = append(args, "--allow-non-loopback")
	}
	if opts.NoHostNode {
		args = append(args, "--no-host-node")
	}
	logf, err := os.OpenFile(filepath.Join(home, LogFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: log file: %w", err)
	}
	cmd := exec.Command(argv[0], args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd, logf, nil
}

// waitReady polls the socket until the new engine answers, it exits, or
// the time is up.
func waitReady(home string, opts Options, pid int, exited <-chan error, logStart int64) (State, error) {
	deadline := time.Now().Add(opts.StartTimeout)
	for delay := time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		if st, err := Status(home); err == nil {
			return st, nil
		} else if errors.Is(err, client.ErrVersionMismatch) {
			return st, err
		}
		select {
		case err := <-exited:
			return State{}, fmt.Errorf("engine: the new engine (pid %d) exited (%v) before answering; %s", pid, err, logTail(home, logStart))
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return State{}, fmt.Errorf("engine: the new engine (pid %d) did not answer on %s within %v; %s", pid, SocketPath(home), opts.StartTimeout, logTail(home, logStart))
		}
	}
}

// logTail is what the engine logged since start, for error messages.
func logTail(home string, from int64) string {
	b, err := os.ReadFile(filepath.Join(home, LogFile))
	if err != nil || int64(len(b)) <= from {
		return "see " + filepath.Join(home, LogFile)
	}
	b = bytes.TrimSpace(b[from:])
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "its log says: " + string(b)
}

// Options say how Start and ConnectWith start an engine. The zero value
// is the default.
type Options struct {
	// Command is the program and leading arguments Start runs, before
	// "--home DIR --detached" (default: os.Executable() and "engine").
	Command []string
	// Listen adds the engine's HTTPS listener with a bearer token on this
	// address ("127.0.0.1:6443"; port 0 picks a free one).
	Listen string
	// AllowNonLoopback lets Listen name an address other than loopback.
	AllowNonLoopback bool
	// NoHostNode keeps the engine from running this machine as a node.
	NoHostNode bool
	// StartTimeout bounds Start's wait for the new engine to answer
	// (default 30s).
	StartTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	return o
}

// Stop sends SIGTERM to the engine of home and waits until it has exited
// (pods keep running). It returns the pid it stopped.
func Stop(home string, timeout time.Duration) (int, error) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	pid := ReadPID(home)
	if pid == 0 || !isEngine(home, pid) {
		return 0, fmt.Errorf("%w for %s", ErrNotRunning, home)
	}
	if err := unix.Kill(pid, unix.SIGTERM); err != nil {
		return pid, fmt.Errorf("engine: stopping pid %d: %w", pid, err)
	}
	deadline := time.Now().Add(timeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			return pid, fmt.Errorf("engine: pid %d still runs %v after SIGTERM", pid, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return pid, nil
}

// Running reports whether pid exists and is not a zombie.
func Running(pid int) bool { return alive(pid) }

// isEngine checks that pid is the process holding home's store lock (so a
// recycled pid is never signalled).
func isEngine(home string, pid int) bool {
	b, err := os.ReadFile(filepath.Join(home, "min.lock"))
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(pid) {
		return false
	}
	return alive(pid)
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	if unix.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// Connect returns a client of the engine of home, starting one in the
// background first when none answers.
func Connect(home string) (cluster.Interface, error) {
	return ConnectWith(home, Options{})
}

// ConnectWith is Connect with options for the engine it may start. Many
// processes may call it at once: a flock on start.lock lets one start the
// engine while the others wait for it.
func ConnectWith(home string, opts Options) (cluster.Interface, error) {
	opts = opts.withDefaults()
	if c, err := Dial(home); err == nil || errors.Is(err, client.ErrVersionMismatch) {
		return c, err
	}
	if err := EnsureHome(home); err != nil {
		return nil, fmt.Errorf("engine: state directory: %w", err)
	}
	unlock, err := lockStart(home, opts.StartTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c, err := Dial(home); err == nil || errors.Is(err, client.ErrVersionMismatch) {
		return c, err // another client started it meanwhile
	}
	if _, err := Start(home, opts); err != nil && !errors.Is(err, ErrAlreadyRunning) {
		return nil, err
	}
	return Dial(home)
}

// Dial returns a client of the engine of home once it answered a ping. It
// never starts an engine: with none running it fails with ErrNotRunning.
func Dial(home string) (*client.Client, error) {
	c := client.New(SocketPath(home), client.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		c.Close()
		if errors.Is(err, client.ErrVersionMismatch) {
			return nil, err
		}
		return nil, fmt.Errorf("%w for %s: %v", ErrNotRunning, home, err)
	}
	return c, nil
}

// lockStart takes the exclusive start lock, waiting up to timeout.
func lockStart(home string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(filepath.Join(home, StartLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("engine: start lock: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("engine: start lock %s: %w", f.Name(), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
