// Package seccomp compiles an OCI seccomp profile (such as Docker's default,
// github.com/moby/profiles/seccomp) into a classic BPF program for
// seccomp(SECCOMP_SET_MODE_FILTER), in pure Go.
//
// The shim does not import it: Docker's default profile, resolved for the
// capabilities Min's containers keep, is compiled ahead of time into a Go
// array in containers/shim (seccomp_default_<arch>.go, written by this
// package's tests with -update and checked against a fresh compilation by
// the same tests), so a shim pays no profile parsing and no package
// initialiser for it, only the seccomp system call.
//
// The program checks the architecture, rejects x32 system calls on x86_64,
// then finds the syscall number by binary search over ranges of numbers that
// share an action (a handful of comparisons per system call, where a linear
// list of Docker's ~360 allowed calls would take hundreds), and evaluates
// argument conditions (all operators of the OCI spec, on 64-bit values) for
// the calls that have them.
//
// Load compiles a profile file in Docker's JSON format (a Kubernetes
// Localhost profile) for the running architecture: the engine's node agent
// calls it and hands the program to the runtime (ContainerSpec.SeccompFilter).
//
// It imports no other package of Min. It has no state: Compile and Load are
// pure functions.
package seccomp
