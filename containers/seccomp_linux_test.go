package containers

import (
	"context"
	"errors"
	"os"
	"regexp"
	"runtime"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/minspace/min/containers/seccomp"
)

// TestSeccompLocalhost: a Localhost profile's compiled filter is the
// container's, in a pod with a shim and in a foreground one.
func TestSeccompLocalhost(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the test compiles for x86_64")
	}
	info, err := arch.GetInfo("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	errno := uint(1) // EPERM
	prog, err := seccomp.Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &errno}}},
		seccomp.Arch{Audit: uint32(info.ID), Syscalls: info.SyscallNames, X32: true})
	if err != nil {
		t.Fatal(err)
	}
	filter := make([]SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	r := newRuntime(t, Options{})
	ctr := ContainerSpec{Name: "c", Image: "busybox", SeccompProfile: "Localhost", SeccompFilter: filter,
		Command: []string{"sh", "-c", "grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; exit 0"}}
	want := regexp.MustCompile(`^Seccomp:\s+2\nmkdir: can't create directory '/tmp/x': Operation not permitted\n$`)

	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := r.RunForeground(context.Background(), PodSpec{UID: "local-fg", Name: "local", Containers: []ContainerSpec{ctr}},
		[3]*os.File{nil, out, out}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out.Name()); !want.Match(b) {
		t.Errorf("foreground: %q", b)
	}

	sleeping := ctr
	sleeping.Command = []string{"sleep", "1000"}
	runPod(t, r, PodSpec{UID: "local", Name: "local", Containers: []ContainerSpec{sleeping}})
	if got, _, _ := execIn(t, r, "local", "c", "sh", "-c", "grep ^Seccomp: /proc/1/status; mkdir /tmp/x 2>&1; exit 0"); !want.MatchString(got) {
		t.Errorf("pod: %q", got)
	}

	for _, bad := range []ContainerSpec{
		{Name: "c", Image: "busybox", SeccompProfile: "Localhost"},
		{Name: "c", Image: "busybox", SeccompFilter: filter},
	} {
		if err := r.RunPod(context.Background(), PodSpec{UID: "bad", Name: "bad", Containers: []ContainerSpec{bad}}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s with %d instructions: %v, want ErrInvalid", bad.SeccompProfile, len(bad.SeccompFilter), err)
		}
	}
}
