package shim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
)

// exec runs req.Argv inside a running container and returns its exit code.
// Without TTY the client passes three stdio descriptors; with TTY the shim
// opens a terminal in the container's own devpts (so that tty(1) and
// ttyname work inside) and passes its master back. Either way a first
// response (Started) goes out once the process runs. The process is killed
// if the client goes away first.
func (s *shim) exec(conn *net.UnixConn, req Request, files []*os.File) (int, error) {
	if len(req.Argv) == 0 || (!req.TTY && len(files) != 3) {
		return 0, errors.New("shim: exec needs argv, and three stdio descriptors without a tty")
	}
	c, pid := s.running(req.Container)
	if c == nil {
		return 0, fmt.Errorf("container %q not found", req.Container)
	}
	if pid == 0 {
		return 0, fmt.Errorf("container %q is not running", req.Container)
	}
	spec := c.spec
	spec.Argv = req.Argv
	l := launch{c: spec, group: s.cfg.Cgroup.Child(spec.Name)}
	if !req.TTY {
		l.stdio = [3]*os.File{files[0], files[1], files[2]}
	}
	var cmd *exec.Cmd
	var master *os.File
	var err error
	cgroup.OnThrowawayThread(func() { cmd, master, err = execOnThread(l, pid, req) })
	if err != nil {
		return 0, err
	}
	if err := started(conn, master); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		var b [1]byte
		conn.Read(b[:]) // returns when the client closes its end
		select {
		case <-done:
		default:
			cmd.Process.Kill()
		}
	}()
	return exitCode(cmd.Wait())
}

// started sends the intermediate response, with the terminal's master.
func started(conn *net.UnixConn, master *os.File) error {
	var oob []byte
	if master != nil {
		defer master.Close()
		oob = unix.UnixRights(int(master.Fd()))
	}
	b, _ := json.Marshal(Response{Started: true})
	_, _, err := conn.WriteMsgUnix(b, oob, nil)
	return err
}

func (s *shim) running(name string) (*ctr, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.ctrs {
		if c.spec.Name == name {
			return c, s.state.Containers[i].PID
		}
	}
	return nil, 0
}

// exitCode turns a Wait result into a shell-style exit code.
func exitCode(err error) (int, error) {
	var ee *exec.ExitError
	if err == nil {
		return 0, nil
	}
	if !errors.As(err, &ee) {
		return 0, err
	}
	ws, _ := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// execOnThread joins the container's pid and mount namespaces (the pod's
// net, uts and ipc are the shim's own), its cgroup and confinement, and forks
// the command.
func execOnThread(l launch, pid int, req Request) (*exec.Cmd, *os.File, error) {
	cmd, master, err := execSetup(l, pid, req)
	if err != nil && master != nil {
		master.Close()
		master = nil
	}
	return cmd, master, err
}

func execSetup(l launch, pid int, req Request) (*exec.Cmd, *os.File, error) {
	cgroupFD, err := joinCgroup(l.group) // host paths: before the setns
	if err != nil {
		return nil, nil, err
	}
	if cgroupFD >= 0 {
		defer unix.Close(cgroupFD)
	}
	last, err := lastCap()
	if err != nil {
		return nil, nil, err
	}
	if err := joinNamespaces(pid); err != nil {
		return nil, nil, err
	}
	var master *os.File
	if req.TTY {
		m, slave, err := terminal(req.Rows, req.Cols)
		if err != nil {
			return nil, nil, err
		}
		defer slave.Close()
		master = m
		l.stdio = [3]*os.File{slave, slave, slave}
	}
	cmd, err := command(l)
	if err != nil {
		return nil, master, err
	}
	if req.TTY {
		cmd.SysProcAttr.Setctty = true
		cmd.SysProcAttr.Ctty = 0
	}
	if err := confine(last, l.c); err != nil {
		return nil, master, err
	}
	if err := startStopped(cmd, cgroupFD); err != nil {
		return nil, master, err
	}
	if err := unix.PtraceDetach(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, master, fmt.Errorf("ptrace detach: %w", err)
	}
	return cmd, master, nil
}

// joinNamespaces moves this thread into the pid (for its children) and
// mount namespaces of process pid.
func joinNamespaces(pid int) error {
	pidNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return err
	}
	defer pidNS.Close()
	mntNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil {
		return err
	}
	defer mntNS.Close()
	// setns into a mount namespace needs a private fs struct.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	if err := unix.Setns(int(pidNS.Fd()), unix.CLONE_NEWPID); err != nil {
		return fmt.Errorf("join pid namespace: %w", err)
	}
	if err := unix.Setns(int(mntNS.Fd()), unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("join mount namespace: %w", err)
	}
	return nil
}

// terminal opens a terminal pair of the given size (the size is set before
// the process can ask for it).
func terminal(rows, cols uint16) (master, slave *os.File, err error) {
	master, slave, err = openPTY()
	if err != nil || (rows == 0 && cols == 0) {
		return master, slave, err
	}
	ws := &unix.Winsize{Row: rows, Col: cols}
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("terminal size: %w", err)
	}
	return master, slave, nil
}

// openPTY opens a terminal pair in this thread's /dev/pts (the container's
// devpts instance, once the thread has joined its mount namespace).
func openPTY() (master, slave *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	sfd, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("open pty peer: %w", errno)
	}
	return os.NewFile(uintptr(fd), "ptmx"), os.NewFile(sfd, "pts"), nil
}
