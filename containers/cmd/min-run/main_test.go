package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minspace/min/containers"
	"github.com/minspace/min/containers/cgroup"
)

func TestMain(m *testing.M) {
	containers.Init() // the test binary is the shim of the runs below
	os.Exit(m.Run())
}

// rootfs makes a busybox root filesystem.
func rootfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("real containers need root")
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("needs /bin/busybox (apt-get install busybox-static)")
	}
	dir := t.TempDir()
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "true", "echo", "hostname", "cat"} {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRun runs each case as crun run does (no shim) and with a shim.
func TestRun(t *testing.T) {
	root := rootfs(t)
	state := t.TempDir()
	parent := fmt.Sprintf("min-run-test-%d", os.Getpid())
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn string // in min-run's stderr
		logErr   string // the container's stderr: in stderr, or in the log (stdout) with a shim
	}{
		{name: "true", args: []string{"/bin/true"}, code: 0},
		{name: "exit code and output", args: []string{"sh", "-c", "echo out; exit 3"}, code: 3, stdout: "out\n"},
		{name: "stderr", args: []string{"sh", "-c", "echo err >&2"}, code: 0, logErr: "err\n"},
		{name: "hostname is the pod name", args: []string{"-name", "box", "--", "hostname"}, code: 0, stdout: "box\n"},
		{name: "rootfs left unwritten", args: []string{"sh", "-c", "echo x > /etc/written && cat /etc/written"}, code: 0, stdout: "x\n"},
		{name: "own namespaces", args: []string{"sh", "-c", "echo $$; cat /proc/net/dev | wc -l"}, code: 0, stdout: "1\n3\n"},
		{name: "missing command", args: []string{"/no/such"}, code: 125, stderrIn: "no/such"},
		{name: "no rootfs", args: []string{"-rootfs=", "/bin/true"}, code: 125, stderrIn: "usage"},
	}
	for _, mode := range []string{"", "self"} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("shim=%q/%s", mode, tc.name), func(t *testing.T) {
				args := append([]string{"-state", state, "-cgroup-parent", parent, "-shim", mode, "-rootfs", root}, tc.args...)
				stdout, stderr := tempFile(t), tempFile(t)
				code := run(args, [3]*os.File{nil, stdout, stderr})
				out, errs := readBack(t, stdout), readBack(t, stderr)
				wantOut, wantErr := tc.stdout, tc.stderrIn+tc.logErr
				if mode != "" {
					wantOut, wantErr = tc.stdout+tc.logErr, tc.stderrIn
				}
				if code != tc.code || out != wantOut || !strings.Contains(errs, wantErr) {
					t.Errorf("run %v = %d, stdout %q, stderr %q; want %d, %q, stderr with %q",
						tc.args, code, out, errs, tc.code, wantOut, wantErr)
				}
			})
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/written")); err == nil {
		t.Error("a container wrote into the rootfs directory")
	}
	if pods, _ := os.ReadDir(filepath.Join(state, "pods")); len(pods) != 0 {
		t.Errorf("pods left in the state directory: %v", pods)
	}
	self, err := cgroup.Self(cgroup.Detect())
	if err != nil {
		t.Fatal(err)
	}
	if g := self.Child(parent); g.Exists() {
		t.Errorf("cgroup parent left: %v", g.Dirs)
		g.Remove(0)
	}
}

func tempFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readBack(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
