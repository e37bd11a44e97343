package containers

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// child is a process this one started, known by its pidfd. Waiting on it
// parks a goroutine in the runtime's network poller rather than holding an
// OS thread in a blocking wait: a short-lived client then has no thread in
// a system call for the scheduler's monitor to keep polling, and starts no
// extra thread for it.
type child struct {
	pid   int
	pidfd *os.File
	done  chan struct{} // closed once reap has reaped the child
}

// spawn forks and execs path with CLONE_PIDFD. Unlike os.StartProcess it
// needs no probe of pidfd support (which forks a throwaway child in every
// process that starts one).
func spawn(path string, argv []string, attr *syscall.ProcAttr) (*child, error) {
	fd := -1
	sys := *attr.Sys
	sys.PidFD = &fd
	a := *attr
	a.Sys = &sys
	pid, err := syscall.ForkExec(path, argv, &a)
	if err != nil {
		return nil, err
	}
	f, err := pollable(fd, fmt.Sprintf("pidfd:%d", pid))
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return nil, err
	}
	return &child{pid: pid, pidfd: f, done: make(chan struct{})}, nil
}

// openPidfd opens a pidfd for any process (not only our children).
func openPidfd(pid int) (*os.File, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return nil, err
	}
	return pollable(fd, fmt.Sprintf("pidfd:%d", pid))
}

// pollable makes fd non-blocking and hands it to the network poller.
func pollable(fd int, name string) (*os.File, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// kill sends SIGKILL through the pidfd (never to a reused pid).
// Once reap has closed the pidfd, the child is gone and kill does nothing.
func (c *child) kill() error {
	rc, err := c.pidfd.SyscallConn()
	if err != nil {
		return err
	}
	var kerr error
	if err := rc.Control(func(fd uintptr) { kerr = unix.PidfdSendSignal(int(fd), unix.SIGKILL, nil, 0) }); err != nil {
		return nil // closed: reaped
	}
	return kerr
}

// reap waits for the child to end, reaps it and closes its pidfd. It is
// meant to run in its own goroutine for as long as the child lives.
func (c *child) reap() {
	defer close(c.done)
	defer c.pidfd.Close()
	rc, err := c.pidfd.SyscallConn()
	if err != nil {
		return
	}
	rc.Read(func(fd uintptr) bool {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG, nil)
		return err != nil || info.Signo != 0 // reaped, or nothing left to reap
	})
}

// awaitExit waits until the process of pidfd has exited (a zombie counts:
// its namespaces and descriptors are released), or timeout. It reports
// whether the process is gone.
func awaitExit(pidfd *os.File, timeout time.Duration) (bool, error) {
	rc, err := pidfd.SyscallConn()
	if err != nil {
		return false, err
	}
	if err := pidfd.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return false, err
	}
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		if err != nil && !errors.Is(err, unix.EINTR) {
			perr = err
			return true
		}
		return n > 0
	})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return false, nil
	}
	if err == nil {
		err = perr
	}
	return err == nil, err
}
