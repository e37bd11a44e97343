package seccomp

import (
	"fmt"
	"runtime"

	"github.com/elastic/go-seccomp-bpf/arch"
	moby "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// DockerCaps is Docker's default capability set, which Min's containers
// keep (containers/shim's defaultCaps): a profile's rules depend on it.
func DockerCaps() []string {
	return []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
}

// Load compiles a seccomp profile in Docker's JSON format (what a
// Kubernetes Localhost profile holds for containerd and CRI-O), resolved
// as Docker resolves it for a container with DockerCaps, into the program
// for this machine's architecture (x86_64 only).
func Load(body []byte) ([]unix.SockFilter, error) {
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("seccomp: profiles are compiled for amd64 only, not %s", runtime.GOARCH)
	}
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: DockerCaps()}}}
	p, err := moby.LoadProfile(string(body), rs)
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	info, err := arch.GetInfo("x86_64")
	if err != nil {
		return nil, fmt.Errorf("seccomp: %w", err)
	}
	prog, err := Compile(p, Arch{Audit: uint32(info.ID), Syscalls: info.SyscallNames, X32: true})
	if err != nil {
		return nil, err
	}
	out := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		out[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return out, nil
}
