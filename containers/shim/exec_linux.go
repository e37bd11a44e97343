package shim

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
)

// exec runs req.Argv inside a running container with the passed stdio (three
// files, or one terminal used for all three) and returns its exit code. The
// process is killed if the client goes away first.
func (s *shim) exec(conn *net.UnixConn, req Request, files []*os.File) (int, error) {
	if len(files) != 3 || len(req.Argv) == 0 {
		return 0, errors.New("shim: exec needs argv and three stdio descriptors")
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
	l := launch{c: spec, group: s.cfg.Cgroup.Child(spec.Name), stdio: [3]*os.File{files[0], files[1], files[2]}}
	var cmd *exec.Cmd
	var err error
	cgroup.OnThrowawayThread(func() { cmd, err = execOnThread(l, pid, req.TTY) })
	if err != nil {
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
func execOnThread(l launch, pid int, tty bool) (*exec.Cmd, error) {
	pidNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, err
	}
	defer pidNS.Close()
	mntNS, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil {
		return nil, err
	}
	defer mntNS.Close()
	cgroupFD, err := joinCgroup(l.group) // host paths: before the setns
	if err != nil {
		return nil, err
	}
	if cgroupFD >= 0 {
		defer unix.Close(cgroupFD)
	}
	last, err := lastCap()
	if err != nil {
		return nil, err
	}
	// setns into a mount namespace needs a private fs struct.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return nil, fmt.Errorf("unshare fs: %w", err)
	}
	if err := unix.Setns(int(pidNS.Fd()), unix.CLONE_NEWPID); err != nil {
		return nil, fmt.Errorf("join pid namespace: %w", err)
	}
	if err := unix.Setns(int(mntNS.Fd()), unix.CLONE_NEWNS); err != nil {
		return nil, fmt.Errorf("join mount namespace: %w", err)
	}
	cmd, err := command(l)
	if err != nil {
		return nil, err
	}
	if tty {
		cmd.SysProcAttr.Setctty = true
		cmd.SysProcAttr.Ctty = 0
	}
	useCgroupFD(cmd, cgroupFD)
	if err := confine(last); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}
