package containers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/shim"
)

// busyboxRoot is a rootfs layer made of the host's busybox-static, built once
// by TestMain (empty when busybox is missing).
var busyboxRoot string

func TestMain(m *testing.M) {
	Init()
	if helper := os.Getenv("MIN_TEST_HELPER"); helper != "" {
		runHelper(helper)
		return
	}
	dir, err := os.MkdirTemp("", "min-busybox-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := makeBusyboxLayer(dir); err == nil {
		busyboxRoot = dir
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// makeBusyboxLayer builds /bin/busybox with its applet links, /etc/passwd
// and empty mount points.
func makeBusyboxLayer(dir string) error {
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return err
	}
	for _, d := range []string{"bin", "etc", "tmp", "proc", "sys", "dev", "root"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		return err
	}
	for _, applet := range strings.Fields("sh ps hostname ip cat sleep true false echo ls nc seq wc head dd grep id touch mkdir tr sed stty tty cut test unshare mount") {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil {
			return err
		}
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
	return os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte(passwd), 0o644)
}

// images is a tiny ImageSource: every reference is the busybox layer.
type images struct{ layer string }

func (i images) Resolve(ref string) ([]string, ImageConfig, error) {
	cfg := ImageConfig{Cmd: []string{"sh"}, Env: []string{"PATH=/bin"}}
	switch ref {
	case "busybox":
	case "busybox:nobody": // the same layer, run as a user
		cfg.User = "nobody"
	default:
		return nil, ImageConfig{}, fmt.Errorf("image %q: %w", ref, ErrNotFound)
	}
	return []string{i.layer}, cfg, nil
}

var podSeq atomic.Int64

// newRuntime returns a Runtime over a fresh state directory and cgroup
// parent, and checks after the test that nothing of it is left.
func newRuntime(t *testing.T, opts Options) *Runtime {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real containers need root")
	}
	if busyboxRoot == "" {
		t.Skip("needs /bin/busybox (apt-get install busybox-static)")
	}
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	opts.Images = images{busyboxRoot}
	if opts.CgroupParent == "" {
		opts.CgroupParent = fmt.Sprintf("min-test-%d-%d", os.Getpid(), podSeq.Add(1))
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkClean(t, r) })
	return r
}

// checkClean removes every pod left (a failed test) and then checks that no
// shim, mount or cgroup of the runtime remains.
func checkClean(t *testing.T, r *Runtime) {
	entries, _ := os.ReadDir(filepath.Join(r.opts.StateDir, "pods"))
	var shims []int
	for _, e := range entries {
		if st, err := shim.ReadState(r.podDir(e.Name())); err == nil {
			shims = append(shims, st.PID)
		}
		t.Errorf("pod %s left behind", e.Name())
		if err := r.RemovePod(e.Name()); err != nil {
			t.Error(err)
		}
	}
	parent := r.parentGroup(r.opts.CgroupParent)
	if procs, _ := parent.Procs(); len(procs) > 0 {
		t.Errorf("processes left in cgroups: %v", procs)
	}
	if dirs := subgroups(parent); len(dirs) > 0 {
		t.Errorf("cgroups left: %v", dirs)
	}
	if err := parent.Remove(5 * time.Second); err != nil {
		t.Error(err)
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	if bytes.Contains(mounts, []byte(r.opts.StateDir)) {
		t.Errorf("mounts left under %s", r.opts.StateDir)
	}
	for _, pid := range shims {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/ns", pid)); err == nil {
			if st, _ := shim.StartTime(pid); st != 0 {
				t.Errorf("shim %d still running", pid)
			}
		}
	}
}

func subgroups(g cgroup.Group) []string {
	var out []string
	for _, d := range g.Dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.IsDir() {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	return out
}

// runPod starts a pod and registers its removal.
func runPod(t *testing.T, r *Runtime, spec PodSpec) {
	t.Helper()
	if spec.UID == "" {
		spec.UID = fmt.Sprintf("uid-%d", podSeq.Add(1))
	}
	if spec.Namespace == "" {
		spec.Namespace = "default"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.RunPod(ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The shim's own failures (and races, under -race) land in its log.
		if b, err := os.ReadFile(filepath.Join(r.podDir(spec.UID), shim.LogFile)); err == nil &&
			(bytes.Contains(b, []byte("DATA RACE")) || bytes.Contains(b, []byte("panic"))) {
			t.Errorf("shim of %s:\n%s", spec.UID, b)
		}
		if err := r.RemovePod(spec.UID); err != nil {
			t.Error(err)
		}
	})
}

// exec runs argv in a container and returns stdout, stderr and exit code.
func execIn(t *testing.T, r *Runtime, uid, ctr string, argv ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := r.Exec(ctx, uid, ctr, argv, nil, &out, &errb, false)
	if err != nil {
		t.Fatalf("exec %v: %v", argv, err)
	}
	return out.String(), errb.String(), code
}

func sleeper(name string) ContainerSpec {
	return ContainerSpec{Name: name, Image: "busybox", Command: []string{"sleep", "1000"}}
}
