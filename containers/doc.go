// Package containers is Min's Linux container runtime: it runs pods as
// sandboxes (shared net, uts and ipc namespaces, and pid with
// shareProcessNamespace) whose containers get their own mount and pid
// namespaces, an overlayfs rootfs from their image, pivot_root, /proc, /dev
// and a read-only /sys, Docker's masked paths and default capabilities,
// no_new_privs, Docker's default seccomp profile (ContainerSpec.SeccompProfile
// "Unconfined" opts out), and cgroup limits (v1 or v2). Each pod has a shim process
// (package shim) that owns the sandbox, logs in CRI format (package crilog),
// reaps and restarts containers, and outlives the engine; a new Runtime over
// the same state directory finds running pods again (ListPods, PodStatus).
//
// Specs are plain structs (PodSpec, ContainerSpec) that the engine's node
// agent fills from pod objects; images come through ImageSource
// (containers/image) and the pod network through PodNetwork
// (containers/network).
//
// Programs that use a Runtime must call Init first thing in main (and in
// TestMain): the shim is a re-execution of the same binary, unless
// Options.ShimBinary names another one, such as containers/cmd/min-shim
// built static (CGO_ENABLED=0), which keeps each shim near 4 MB resident and
// starts faster than a re-execution of a big program.
//
// Entry points: New, then RunPod, PodStatus, WaitPod, StopPod, RemovePod,
// ListPods (re-adoption), Exec/ExecWith, LogPath/ReadLogs, NetNSPath and
// Close;
// RunForeground and RemoveCgroupParent for one-shot clients such as
// containers/cmd/min-run (`crun run` for Min: one container, run from the
// caller's process with its stdio, waited for and removed; no shim).
//
// A pod start costs a Go process start (the shim) and one fork of the
// container; the runtime starts the shim with CLONE_PIDFD and waits on
// pidfds through the network poller, so no thread sits in a blocking wait
// and no pidfd probe forks. The pod network is wired while the shim starts
// and prepares the containers (stopped right after their exec until the
// start line brings the pod IP). With Options.SpareShim (the engine's node
// agents) the shim's process start is paid ahead: a spare shim, its
// namespaces made, waits for its pod; Close ends it. A foreground run
// (RunForeground) costs only the fork.
//
// It never imports engine/, bindings/ or gopher-lua. Concurrency: a
// Runtime's methods are safe for concurrent use. It keeps in memory only
// per-pod locks (RunPod, StopPod and RemovePod of one pod in turn) and the
// spare shim, each under a mutex; pods' state lives in the state directory
// and the shims, so other Runtimes over the same directory see the same
// pods.
package containers
