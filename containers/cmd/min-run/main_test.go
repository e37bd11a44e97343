package main

import (
	"bytes"
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

func TestRun(t *testing.T) {
	root := rootfs(t)
	state := t.TempDir()
	parent := fmt.Sprintf("min-run-test-%d", os.Getpid())
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn string
	}{
		{name: "true", args: []string{"/bin/true"}, code: 0},
		{name: "exit code and output", args: []string{"sh", "-c", "echo out; exit 3"}, code: 3, stdout: "out\n"},
		{name: "stderr is in the log too", args: []string{"sh", "-c", "echo err >&2"}, code: 0, stdout: "err\n"},
		{name: "hostname is the pod name", args: []string{"-name", "box", "--", "hostname"}, code: 0, stdout: "box\n"},
		{name: "rootfs left unwritten", args: []string{"sh", "-c", "echo x > /etc/written && cat /etc/written"}, code: 0, stdout: "x\n"},
		{name: "missing command", args: []string{"/no/such"}, code: 125, stderrIn: "no/such"},
		{name: "no rootfs", args: []string{"-rootfs=", "/bin/true"}, code: 125, stderrIn: "usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-state", state, "-cgroup-parent", parent, "-rootfs", root}, tc.args...)
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != tc.code || out.String() != tc.stdout || !strings.Contains(errb.String(), tc.stderrIn) {
				t.Errorf("run %v = %d, stdout %q, stderr %q; want %d, %q, stderr with %q",
					tc.args, code, out.String(), errb.String(), tc.code, tc.stdout, tc.stderrIn)
			}
		})
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
