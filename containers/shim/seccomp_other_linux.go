//go:build !amd64

package shim

import "golang.org/x/sys/unix"

// dockerDefault is empty: Docker's default profile is compiled for amd64
// only (containers/seccomp), so containers run without a filter here.
var dockerDefault [0]unix.SockFilter
