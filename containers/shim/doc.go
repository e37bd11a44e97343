// Package shim is the per-pod monitor process of Min's container runtime, in
// the spirit of conmon and containerd-shim, plus the plain data the runtime
// and the shim exchange.
//
// The runtime re-executes its own binary with RoleEnv=shim inside new net,
// uts and ipc namespaces (the pod sandbox), in the pod's state directory,
// and wires the pod network into those namespaces while the shim's Go
// runtime starts. Main sets the hostname, brings loopback up, makes the
// pod's cgroup, then reads the start line (the pod IP) from the runtime and
// starts the pod's containers, writes their stdout/stderr to CRI-format
// logs, reaps them, restarts them per the restart policy with Kubernetes'
// back-off, and records everything in state.json (atomic writes). It serves
// a control socket (ctl.sock, SOCK_SEQPACKET, one JSON request per
// connection) for stop, wait, exec and exit; exec answers twice, once
// started (with the terminal's master as SCM_RIGHTS for a tty) and once
// exited. It is detached (its own session), so it outlives the process that
// started it; a new runtime finds it through the state directory.
//
// Containers start from a throwaway OS thread of the shim (see
// start_linux.go): the thread unshares its mount namespace, builds the
// rootfs and pivot_roots into it, joins the container's cgroup, drops
// capabilities, loads the container's seccomp filter (Docker's default
// profile, compiled ahead of time by containers/seccomp into
// seccomp_default_amd64.go) on that thread only, and only then forks the
// command, so no per-container re-exec is paid.
//
// It imports containers/cgroup and containers/crilog, never the containers
// package itself (which imports it), engine/, bindings/ or gopher-lua. It has
// no init() work: every binary that embeds Min re-executes into it.
//
// Foreground runs a pod of one container from the calling process instead
// (no shim, socket, state or log): the same throwaway thread also makes the
// sandbox's net, uts and ipc namespaces before it forks the command.
//
// Concurrency: inside the shim, one goroutine supervises each container; the
// state is guarded by one mutex. The exported types are plain data.
package shim
