package shim

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
)

// launch describes one container instance to start.
type launch struct {
	c      Container
	rootfs string // empty directory the overlay is mounted on
	upper  string // fresh writable layer
	work   string // overlayfs work directory
	group  cgroup.Group
	pidNS  *os.File // the pod's pid namespace (shareProcessNamespace), or nil
	etc    string   // directory with the pod's hosts and hostname files
	stdio  [3]*os.File
	// sandbox, when not empty, is the hostname of a sandbox the thread
	// makes itself (new net, uts and ipc namespaces, loopback up): the
	// foreground path, where no shim was cloned into them.
	sandbox string
	// gate, when not nil, holds the command stopped after its exec until
	// it is closed (the pod network is wired meanwhile).
	gate <-chan struct{}
}

// startContainer builds the container's mount namespace on a throwaway
// thread and forks the command from it. The sequence, step by step:
//
//  1. unshare the mount namespace (and the fs struct, so that pivot_root
//     affects only this thread) and the pid namespace for children, or join
//     the pod's pid namespace when the pod shares one; for a foreground
//     pod (l.sandbox) the net, uts and ipc namespaces too, then the
//     hostname and loopback;
//  2. make every mount private, mount the overlay rootfs, /dev and /sys;
//  3. pivot_root into the rootfs and detach the old root;
//  4. join the container's cgroup (v1: the tasks file takes this thread's id,
//     so the child is born inside; v2: the child is moved in at step 7);
//  5. drop the capability bounding set to Docker's defaults, set
//     no_new_privs, mark every inherited descriptor close-on-exec, and load
//     the seccomp filter (Docker's default profile) on this thread only;
//  6. fork and exec the command under ptrace, so that it stops right after
//     exec, before running any instruction of its own;
//  7. v2: move the stopped child into its cgroup;
//  8. from another throwaway thread (this one is under the filter, which
//     forbids mounts): join the child's mount namespace, mount /proc for its
//     pid namespace (procfs' pidns option names it), mask and read-only the
//     Docker paths;
//  9. wait for l.gate, if any (the pod network), and detach: the command
//     runs.
func startContainer(l launch) (cmd *exec.Cmd, err error) {
	cgroup.OnThrowawayThread(func() { cmd, err = startOnThread(l) })
	return cmd, err
}

func startOnThread(l launch) (*exec.Cmd, error) {
	// Step 1.
	flags := unix.CLONE_NEWNS | unix.CLONE_FS
	if l.pidNS == nil {
		flags |= unix.CLONE_NEWPID
	}
	if l.sandbox != "" {
		flags |= unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC
	}
	if err := unix.Unshare(flags); err != nil {
		return nil, fmt.Errorf("unshare: %w", err)
	}
	if l.sandbox != "" {
		if err := threadSandbox(l.sandbox); err != nil {
			return nil, err
		}
	}
	if l.pidNS != nil {
		if err := unix.Setns(int(l.pidNS.Fd()), unix.CLONE_NEWPID); err != nil {
			return nil, fmt.Errorf("join pod pid namespace: %w", err)
		}
	}
	unix.Umask(0o022)
	// Step 4 comes first: cgroup paths are host paths.
	cgroupFD, err := joinCgroup(l.group)
	if err != nil {
		return nil, err
	}
	if cgroupFD >= 0 {
		defer unix.Close(cgroupFD)
	}
	last, err := lastCap() // reads /proc/sys: before the pivot
	if err != nil {
		return nil, err
	}
	// Steps 2 and 3.
	if err := buildRootfs(l); err != nil {
		return nil, err
	}
	if err := pivotRoot(l.rootfs); err != nil {
		return nil, err
	}
	cmd, err := command(l)
	if err != nil {
		return nil, err
	}
	// Step 5.
	if err := confine(last, l.c); err != nil {
		return nil, err
	}
	// Steps 6 and 7.
	if err := startStopped(cmd, cgroupFD); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	// Step 8.
	var merr error
	cgroup.OnThrowawayThread(func() { merr = finishMounts(pid) })
	if merr != nil {
		abort(cmd)
		return nil, merr
	}
	// Step 9.
	if l.gate != nil {
		<-l.gate
	}
	if err := unix.PtraceDetach(pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("ptrace detach: %w", err)
	}
	return cmd, nil
}

// startStopped forks and execs cmd under ptrace and waits for the stop
// that follows the exec; with a v2 cgroup directory (cgroupFD >= 0) it then
// moves the child into it. (Not clone3's CLONE_INTO_CGROUP: Docker's
// profile answers clone3 with ENOSYS, and the forking thread is under it.)
// On error the child is gone.
func startStopped(cmd *exec.Cmd, cgroupFD int) error {
	cmd.SysProcAttr.Ptrace = true
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := waitExecStop(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	// Should the shim die before the detach, the kernel kills the child
	// rather than let a half-made container run.
	if err := unix.PtraceSetOptions(cmd.Process.Pid, unix.PTRACE_O_EXITKILL); err != nil {
		abort(cmd)
		return fmt.Errorf("ptrace options: %w", err)
	}
	if cgroupFD >= 0 {
		if err := enterCgroup(cgroupFD, cmd.Process.Pid); err != nil {
			abort(cmd)
			return err
		}
	}
	return nil
}

// abort kills a child stopped under ptrace and reaps it.
func abort(cmd *exec.Cmd) {
	cmd.Process.Kill()
	unix.PtraceDetach(cmd.Process.Pid)
	cmd.Wait()
}

// enterCgroup moves pid into the v2 cgroup directory fd.
func enterCgroup(dirFD, pid int) error {
	fd, err := unix.Openat(dirFD, "cgroup.procs", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(strconv.Itoa(pid))); err != nil {
		return fmt.Errorf("cgroup: move %d: %w", pid, err)
	}
	return nil
}

// waitExecStop waits for the SIGTRAP stop that follows a traced execve.
func waitExecStop(pid int) error {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, unix.WALL, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait for exec: %w", err)
		}
		if ws.Stopped() {
			return nil
		}
		return fmt.Errorf("container process ended before it ran: %v", ws)
	}
}

// buildRootfs mounts the overlay and the kernel filesystems under it.
func buildRootfs(l launch) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := mountOverlay(l); err != nil {
		return err
	}
	r := l.rootfs
	for _, m := range []struct {
		src, target, fstype string
		flags               uintptr
		data                string
	}{
		{"tmpfs", "/dev", "tmpfs", unix.MS_NOSUID | unix.MS_STRICTATIME, "mode=755,size=65536k"},
		{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
		{"shm", "/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, "mode=1777,size=65536k"},
		{"mqueue", "/dev/mqueue", "mqueue", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, ""},
		{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY, ""},
	} {
		target := filepath.Join(r, m.target)
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.src, target, m.fstype, m.flags, m.data); err != nil {
			return fmt.Errorf("mount %s: %w", m.target, err)
		}
		if m.target == "/dev" {
			if err := makeDevices(target); err != nil {
				return err
			}
		}
	}
	if err := bindEtc(l); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(r, "proc"), 0o755)
}

// bindEtc mounts the pod's hosts and hostname files over the image's.
func bindEtc(l launch) error {
	if l.etc == "" {
		return nil
	}
	for _, name := range []string{"hosts", "hostname"} {
		target := filepath.Join(l.rootfs, "etc", name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if st, err := os.Lstat(target); err != nil || !st.Mode().IsRegular() {
			os.Remove(target) // a dangling symlink would lead the mount outside the rootfs
			if err := os.WriteFile(target, nil, 0o644); err != nil {
				return err
			}
		}
		if err := unix.Mount(filepath.Join(l.etc, name), target, "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("mount /etc/%s: %w", name, err)
		}
	}
	return nil
}

func mountOverlay(l launch) error {
	lower := make([]string, len(l.c.Layers))
	for i, layer := range l.c.Layers {
		lower[len(lower)-1-i] = layer // overlayfs lists the top layer first
	}
	if len(lower) == 0 {
		return errors.New("image has no layers")
	}
	data := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lower, ":"), l.upper, l.work)
	if err := unix.Mount("overlay", l.rootfs, "overlay", 0, data); err != nil {
		return fmt.Errorf("mount overlay rootfs: %w", err)
	}
	return nil
}

// makeDevices creates the minimal /dev of the OCI runtime spec.
func makeDevices(dev string) error {
	for _, d := range []struct {
		name         string
		major, minor uint32
	}{{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}} {
		p := filepath.Join(dev, d.name)
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return fmt.Errorf("mknod %s: %w", p, err)
		}
		if err := unix.Chmod(p, 0o666); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{
		"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "core": "/proc/kcore",
	} {
		if err := os.Symlink(target, filepath.Join(dev, name)); err != nil {
			return err
		}
	}
	return nil
}

// pivotRoot makes root this thread's / and detaches the old root.
func pivotRoot(root string) error {
	if err := unix.Chdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}

// command prepares the exec.Cmd in the new root: PATH lookup, working
// directory, user.
func command(l launch) (*exec.Cmd, error) {
	c := l.c
	path, err := lookPath(c.Argv[0], c.Env)
	if err != nil {
		return nil, err
	}
	dir := c.WorkingDir
	if dir == "" {
		dir = "/"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	cred, err := credential(c.User)
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   c.Argv,
		Env:    append(make([]string, 0, len(c.Env)), c.Env...), // never nil: nil would pass the shim's own environment on
		Dir:    dir,
		Stdin:  l.stdio[0],
		Stdout: l.stdio[1],
		Stderr: l.stdio[2],
		SysProcAttr: &syscall.SysProcAttr{
			Setsid:     true,
			Credential: cred,
		},
	}
	return cmd, nil
}

// lookPath resolves name with the container's PATH, in this thread's root.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, executable(name)
	}
	pathEnv := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		p := filepath.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec: %q: executable file not found in $PATH", name)
}

func executable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("exec: %q: permission denied", p)
	}
	return nil
}

// credential parses uid[:gid] or a user name from /etc/passwd; nil is root.
func credential(user string) (*syscall.Credential, error) {
	if user == "" || user == "root" || user == "0" {
		return nil, nil
	}
	name, group, _ := strings.Cut(user, ":")
	uid, gid, err := lookupUser(name)
	if err != nil {
		return nil, err
	}
	if group != "" {
		g, err := strconv.Atoi(group)
		if err != nil {
			return nil, fmt.Errorf("user %q: group must be numeric", user)
		}
		gid = g
	}
	// Groups nil: setgroups(0), so no supplementary group of root is kept.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func lookupUser(name string) (uid, gid int, err error) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, n, nil
	}
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return 0, 0, fmt.Errorf("user %q: %w", name, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 4 && f[0] == name {
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 == nil && err2 == nil {
				return uid, gid, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("user %q not found in /etc/passwd", name)
}

// joinCgroup puts what this thread forks into group: v1 by moving the
// thread; v2 returns the directory, for enterCgroup after the fork (-1 on
// v1).
func joinCgroup(g cgroup.Group) (int, error) {
	if g.Mode == cgroup.V2 {
		return g.FD()
	}
	return -1, g.AddThread(unix.Gettid())
}

// finishMounts joins the mount namespace of the stopped child pid (this
// thread is a fresh one, in the host's namespaces), mounts /proc for the
// child's pid namespace, then masks and write-protects what Docker masks
// and write-protects.
func finishMounts(pid int) error {
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return fmt.Errorf("open child pid namespace: %w", err)
	}
	defer ns.Close()
	mnt, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil {
		return fmt.Errorf("open child mount namespace: %w", err)
	}
	defer mnt.Close()
	// setns into a mount namespace needs a private fs struct.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	if err := unix.Setns(int(mnt.Fd()), unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("join container mount namespace: %w", err)
	}
	if err := mountProc(int(ns.Fd())); err != nil {
		return err
	}
	return maskPaths()
}

func mountProc(pidNS int) error {
	fs, err := unix.Fsopen("proc", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen proc: %w", err)
	}
	defer unix.Close(fs)
	if err := unix.FsconfigSetFd(fs, "pidns", pidNS); err != nil {
		return fmt.Errorf("procfs pidns option: %w", err)
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return fmt.Errorf("create procfs: %w", err)
	}
	mnt, err := unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC)
	if err != nil {
		return fmt.Errorf("fsmount proc: %w", err)
	}
	defer unix.Close(mnt)
	if err := unix.MoveMount(mnt, "", unix.AT_FDCWD, "/proc", unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	return nil
}

// Docker's default masked and read-only paths (moby oci/defaults.go).
func maskedPaths() []string {
	return []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
}

func readonlyPaths() []string {
	return []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
}

func maskPaths() error {
	for _, p := range maskedPaths() {
		st, err := os.Stat(p)
		if err != nil {
			continue // absent on this kernel
		}
		if st.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "size=0k")
		} else {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	for _, p := range readonlyPaths() {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("read-only %s: %w", p, err)
		}
		flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
		if err := unix.Mount(p, p, "", flags, ""); err != nil {
			return fmt.Errorf("read-only %s: %w", p, err)
		}
	}
	return nil
}
