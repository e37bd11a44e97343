package shim

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Seccomp profiles a container can have (Kubernetes' seccompProfile.type).
const (
	SeccompRuntimeDefault = "RuntimeDefault" // Docker's default profile; also ""
	SeccompUnconfined     = "Unconfined"     // no filter
	SeccompLocalhost      = "Localhost"      // the container's own compiled filter
)

// installSeccomp loads the container's seccomp filter on this thread (no
// TSYNC: the shim's other threads stay unfiltered), so that what the thread
// forks runs under it. It needs no_new_privs (or CAP_SYS_ADMIN) set first.
// On architectures without a compiled default profile it installs nothing.
func installSeccomp(profile string, own []unix.SockFilter) error {
	filter := dockerDefault[:]
	switch profile {
	case SeccompUnconfined:
		return nil
	case "", SeccompRuntimeDefault:
	case SeccompLocalhost:
		if len(own) == 0 {
			return fmt.Errorf("seccomp profile %s without a filter", profile)
		}
		filter = own
	default:
		return fmt.Errorf("seccomp profile %q: only %s, %s and %s are supported", profile, SeccompRuntimeDefault, SeccompUnconfined, SeccompLocalhost)
	}
	if len(filter) == 0 {
		return nil
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("seccomp: %w", errno)
	}
	return nil
}
