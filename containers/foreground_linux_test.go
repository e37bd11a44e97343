package containers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestRunForeground checks that a foreground pod (no shim) gets the
// sandbox and the confinement of a shim's containers.
func TestRunForeground(t *testing.T) {
	r := newRuntime(t, Options{})
	secret := filepath.Join(t.TempDir(), "host-secret")
	if err := os.WriteFile(secret, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		argv    []string
		seccomp string
		code    int
		want    string // a regexp stdout must match
	}{
		{name: "the command is PID 1 and alone", argv: []string{"ps", "-o", "pid,args"},
			want: `(?s)^\s*PID\s+COMMAND\n\s+1 ps -o pid,args\n$`},
		{name: "hostname is the pod name", argv: []string{"hostname"}, want: `^fg\n$`},
		{name: "only loopback, up", argv: []string{"sh", "-c", "ip -o addr | cut -d' ' -f2,7"}, want: `^lo 127\.0\.0\.1/8\nlo ::1/128\n$|^lo 127\.0\.0\.1/8\n$`},
		{name: "own ipc namespace", argv: []string{"sh", "-c", "readlink /proc/self/ns/ipc"}, want: `^ipc:\[\d+\]\n$`},
		{name: "capabilities are Docker's defaults", argv: []string{"grep", "-E", "^Cap(Eff|Bnd|Inh|Amb)", "/proc/1/status"},
			want: `CapInh:\s+0+\nCapEff:\s+0*a80425fb\nCapBnd:\s+0*a80425fb\nCapAmb:\s+0+\n`},
		{name: "no new privileges", argv: []string{"grep", "NoNewPrivs", "/proc/1/status"}, want: `NoNewPrivs:\s+1`},
		{name: "seccomp default profile", argv: []string{"grep", "^Seccomp:", "/proc/1/status"}, want: `Seccomp:\s+2\n`},
		{name: "seccomp unconfined", argv: []string{"grep", "^Seccomp:", "/proc/1/status"}, seccomp: "Unconfined", want: `Seccomp:\s+0\n`},
		{name: "host files are unreachable", argv: []string{"cat", secret}, code: 1},
		{name: "proc/sys is read-only", argv: []string{"sh", "-c", "echo 1 > /proc/sys/kernel/panic"}, code: 1},
		{name: "keys are masked", argv: []string{"sh", "-c", "wc -c < /proc/keys"}, want: `^0\n$`},
		{name: "sys is read-only", argv: []string{"touch", "/sys/x"}, code: 1},
		{name: "no inherited descriptors", argv: []string{"ls", "/proc/self/fd"}, want: `^0\n1\n2\n(3\n)?$`},
		{name: "in the container's cgroup", argv: []string{"cat", "/proc/self/cgroup"}, want: `(?m)(memory|^0:):.*/pod-fg-[a-z]$`},
		{name: "exit code", argv: []string{"sh", "-c", "exit 7"}, code: 7},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := os.CreateTemp(t.TempDir(), "out")
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			spec := PodSpec{UID: "fg-" + string(rune('a'+i)), Name: "fg", Containers: []ContainerSpec{{Name: "c", Image: "busybox",
				Command: tc.argv, SeccompProfile: tc.seccomp}}}
			term, err := r.RunForeground(context.Background(), spec, [3]*os.File{nil, out, out})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(out.Name())
			if term.ExitCode != tc.code {
				t.Fatalf("%v: exit %d, want %d; output %q", tc.argv, term.ExitCode, tc.code, b)
			}
			if tc.want != "" && !regexp.MustCompile(tc.want).Match(b) {
				t.Errorf("%v: output %q does not match %q", tc.argv, b, tc.want)
			}
			if _, err := os.Stat(r.podDir(spec.UID)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("pod directory left: %v", err)
			}
		})
	}
}

func TestRunForegroundErrors(t *testing.T) {
	r := newRuntime(t, Options{})
	tests := []struct {
		name string
		spec PodSpec
		want error
	}{
		{"two containers", PodSpec{UID: "two", Name: "two", Containers: []ContainerSpec{sleeper("a"), sleeper("b")}}, ErrInvalid},
		{"missing image", PodSpec{UID: "img", Name: "img", Containers: []ContainerSpec{{Name: "c", Image: "nope"}}}, ErrNotFound},
		{"missing command", PodSpec{UID: "cmd", Name: "cmd", Containers: []ContainerSpec{{Name: "c", Image: "busybox", Command: []string{"/no/such"}}}}, os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.RunForeground(context.Background(), tc.spec, [3]*os.File{})
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if _, err := os.Stat(r.podDir(tc.spec.UID)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("pod directory left: %v", err)
			}
		})
	}
}
