package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Mode is the cgroup hierarchy the limits go through.
type Mode int

const (
	V1 Mode = 1 // per-controller hierarchies (legacy or hybrid)
	V2 Mode = 2 // the unified hierarchy
)

func (m Mode) String() string {
	if m == V2 {
		return "v2"
	}
	return "v1"
}

// Controllers Min limits with on v1; each has its own hierarchy.
func v1Controllers() []string { return []string{"memory", "cpu", "pids"} }

// ErrNoController is returned when a limit is asked for a controller the
// hierarchy does not offer.
var ErrNoController = errors.New("cgroup: controller not available")

// Limits are the resource limits of one container; zero means unlimited.
type Limits struct {
	MemoryBytes int64
	CPUMilli    int64 // 1000 = one CPU
	Pids        int64
}

// Group is one cgroup: a directory per v1 controller, or one v2 directory
// (under the key "").
type Group struct {
	Mode Mode
	Dirs map[string]string
}

// Detect reports the mode of the machine: V2 when /sys/fs/cgroup is the
// unified hierarchy, V1 otherwise (hybrid included).
func Detect() Mode {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return V2
	}
	return V1
}

// Self returns the group the calling process is in, for mode.
func Self(mode Mode) (Group, error) {
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return Group{}, fmt.Errorf("cgroup: %w", err)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return Group{}, fmt.Errorf("cgroup: %w", err)
	}
	return self(mode, own, mounts)
}

// Root returns the root group of each hierarchy of mode.
func Root(mode Mode) (Group, error) {
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return Group{}, fmt.Errorf("cgroup: %w", err)
	}
	return rootOf(mode, mounts)
}

// SelfAndRoot is Self and Root with one read of the mount table.
func SelfAndRoot(mode Mode) (self, root Group, err error) {
	own, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return self, root, fmt.Errorf("cgroup: %w", err)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return self, root, fmt.Errorf("cgroup: %w", err)
	}
	if self, err = group(mode, parseProcCgroup(own), parseMounts(mounts)); err != nil {
		return self, root, err
	}
	root, err = rootOf(mode, mounts)
	return self, root, err
}

func rootOf(mode Mode, mounts []byte) (Group, error) {
	roots := parseMounts(mounts)
	own := map[string]string{}
	for c, m := range roots {
		own[c] = m.root // the path that maps to the mount point itself
	}
	return group(mode, own, roots)
}

func self(mode Mode, own, mountinfo []byte) (Group, error) {
	return group(mode, parseProcCgroup(own), parseMounts(mountinfo))
}

func group(mode Mode, paths map[string]string, roots map[string]mount) (Group, error) {
	g := Group{Mode: mode, Dirs: map[string]string{}}
	want := []string{""}
	if mode == V1 {
		want = v1Controllers()
	}
	for _, c := range want {
		root, ok := roots[c]
		p, ok2 := paths[c]
		if !ok || !ok2 {
			return Group{}, fmt.Errorf("cgroup: %s %q: %w", mode, c, ErrNoController)
		}
		g.Dirs[c] = filepath.Join(root.mountpoint, strings.TrimPrefix(p, root.root))
	}
	return g, nil
}

// parseProcCgroup maps each controller (v2: "") to the process's path.
func parseProcCgroup(b []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

type mount struct{ root, mountpoint string }

// parseMounts maps each controller (v2: "") to its cgroup mount.
func parseMounts(b []byte) map[string]mount {
	out := map[string]mount{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(fields) || len(fields) < 5 {
			continue
		}
		m := mount{root: fields[3], mountpoint: unescape(fields[4])}
		switch fields[sep+1] {
		case "cgroup2":
			out[""] = m
		case "cgroup":
			for _, opt := range strings.Split(fields[sep+3], ",") {
				if _, seen := out[opt]; !seen {
					out[opt] = m
				}
			}
		}
	}
	return out
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
	if err != nil {
		return s
	}
	return r
}

// Child returns the group rel below g (not created).
func (g Group) Child(rel string) Group {
	c := Group{Mode: g.Mode, Dirs: make(map[string]string, len(g.Dirs))}
	for k, d := range g.Dirs {
		c.Dirs[k] = filepath.Join(d, rel)
	}
	return c
}

// Create makes the group's directories (and missing parents). On v2 it
// enables the memory, cpu and pids controllers down to the group where the
// parents allow it.
func (g Group) Create() error {
	for _, d := range g.Dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("cgroup: %w", err)
		}
	}
	if g.Mode == V2 {
		enableControllers(g.Dirs[""])
	}
	return nil
}

// enableControllers writes +memory +cpu +pids into the subtree_control of
// every ancestor that has cgroup.subtree_control, best effort: a parent that
// holds processes refuses, and Set reports the missing controller then.
func enableControllers(dir string) {
	var chain []string
	for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "cgroup.subtree_control")); err != nil {
			break
		}
		chain = append([]string{d}, chain...)
	}
	for _, d := range chain {
		for _, c := range []string{"memory", "cpu", "pids"} {
			_ = os.WriteFile(filepath.Join(d, "cgroup.subtree_control"), []byte("+"+c), 0)
		}
	}
}

// Set writes the limits; zero fields are left unlimited.
func (g Group) Set(l Limits) error {
	for _, w := range g.limitFiles(l) {
		if err := write(w.dir, w.file, w.value); err != nil {
			return err
		}
	}
	return nil
}

type fileWrite struct{ dir, file, value string }

// cfsPeriod is the CFS period Min uses, as the kubelet does (100 ms).
const cfsPeriod = 100000

func (g Group) limitFiles(l Limits) []fileWrite {
	var out []fileWrite
	quota := l.CPUMilli * cfsPeriod / 1000
	if l.CPUMilli > 0 && quota < 1000 {
		quota = 1000 // the kernel's minimum quota is 1 ms
	}
	if g.Mode == V2 {
		d := g.Dirs[""]
		if l.MemoryBytes > 0 {
			out = append(out, fileWrite{d, "memory.max", itoa(l.MemoryBytes)}, fileWrite{d, "memory.swap.max", "0"})
		}
		if l.CPUMilli > 0 {
			out = append(out, fileWrite{d, "cpu.max", fmt.Sprintf("%d %d", quota, cfsPeriod)})
		}
		if l.Pids > 0 {
			out = append(out, fileWrite{d, "pids.max", itoa(l.Pids)})
		}
		return out
	}
	if l.MemoryBytes > 0 {
		out = append(out, fileWrite{g.Dirs["memory"], "memory.limit_in_bytes", itoa(l.MemoryBytes)})
	}
	if l.CPUMilli > 0 {
		out = append(out, fileWrite{g.Dirs["cpu"], "cpu.cfs_period_us", itoa(cfsPeriod)},
			fileWrite{g.Dirs["cpu"], "cpu.cfs_quota_us", itoa(quota)})
	}
	if l.Pids > 0 {
		out = append(out, fileWrite{g.Dirs["pids"], "pids.max", itoa(l.Pids)})
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func write(dir, file, value string) error {
	p := filepath.Join(dir, file)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if errors.Is(err, os.ErrNotExist) && file != "memory.swap.max" {
		return fmt.Errorf("cgroup: %s: %w", p, ErrNoController)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil // no swap accounting: nothing to limit
	}
	if err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(value); err != nil {
		return fmt.Errorf("cgroup: write %s to %s: %w", value, p, err)
	}
	return nil
}

// AddThread moves one thread (v1 tasks files take thread ids) into the group.
// A process forked from that thread is born in the group. v1 only: on v2
// use FD with clone3's CLONE_INTO_CGROUP.
func (g Group) AddThread(tid int) error {
	if g.Mode == V2 {
		return write(g.Dirs[""], "cgroup.threads", strconv.Itoa(tid))
	}
	for _, c := range v1Controllers() {
		if err := write(g.Dirs[c], "tasks", strconv.Itoa(tid)); err != nil {
			return err
		}
	}
	return nil
}

// FD opens the v2 directory for SysProcAttr.CgroupFD.
func (g Group) FD() (int, error) {
	fd, err := unix.Open(g.Dirs[""], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("cgroup: %w", err)
	}
	return fd, nil
}

// OOMKills returns how many processes the kernel's OOM killer killed in the
// group so far.
func (g Group) OOMKills() (int64, error) {
	var p, key string
	if g.Mode == V2 {
		p, key = filepath.Join(g.Dirs[""], "memory.events"), "oom_kill"
	} else {
		p, key = filepath.Join(g.Dirs["memory"], "memory.oom_control"), "oom_kill"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, fmt.Errorf("cgroup: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == key {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, nil
}

// Procs lists the processes in the group and its descendants.
func (g Group) Procs() ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, d := range g.Dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || !e.IsDir() {
				return nil
			}
			b, rerr := os.ReadFile(filepath.Join(p, "cgroup.procs"))
			if rerr != nil {
				return nil
			}
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
					seen[pid] = true
					out = append(out, pid)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cgroup: %w", err)
		}
	}
	return out, nil
}

// Kill sends SIGKILL to every process in the group and its descendants,
// except the caller: a thread of ours that was moved in to fork a container
// lists our pid until it has exited.
func (g Group) Kill() error {
	procs, err := g.Procs()
	if err != nil {
		return err
	}
	self := os.Getpid()
	for _, pid := range procs {
		if pid == self {
			continue
		}
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("cgroup: kill %d: %w", pid, err)
		}
	}
	return nil
}

// Remove kills what is left, then removes the group's directories, deepest
// first, waiting up to timeout for dying processes to leave.
func (g Group) Remove(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := g.removeOnce()
		if err == nil || !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			return err
		}
		if kerr := g.Kill(); kerr != nil {
			return kerr
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (g Group) removeOnce() error {
	for _, d := range g.Dirs {
		var dirs []string
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("cgroup: %w", err)
		}
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := unix.Rmdir(dirs[i]); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("cgroup: remove %s: %w", dirs[i], err)
			}
		}
	}
	return nil
}

// Exists reports whether any directory of the group exists.
func (g Group) Exists() bool {
	for _, d := range g.Dirs {
		if _, err := os.Stat(d); err == nil {
			return true
		}
	}
	return false
}

// RemoveIfEmpty removes the group's directories unless they still have
// child groups or processes (someone else uses them): unlike Remove it
// neither kills nor waits, so a parent shared by concurrent users can be
// dropped by whichever finishes last.
func (g Group) RemoveIfEmpty() error {
	for _, d := range g.Dirs {
		err := unix.Rmdir(d)
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("cgroup: remove %s: %w", d, err)
		}
	}
	return nil
}
