package network

import "errors"

// Sentinel errors. Every error the package returns wraps at most one of them, so
// callers test with errors.Is.
var (
	// ErrInvalid: a bad option, pod ID, CIDR, address or namespace path.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: no allocation (or interface) for the pod.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the host already uses the name or the address range asked for.
	ErrConflict = errors.New("conflict")
	// ErrExhausted: the node CIDR has no free address left.
	ErrExhausted = errors.New("no free address")
	// ErrInUse: the bridge still has pods allocated.
	ErrInUse = errors.New("in use")
)
