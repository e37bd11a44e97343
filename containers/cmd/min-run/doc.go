// Command min-run runs one container the way `crun run` does: a new pod
// sandbox with one container whose rootfs is a directory (through an
// overlay, so the directory is never written), waits for it to end,
// removes everything and exits with the container's exit code.
//
//	min-run [-state DIR] [-shim self|PATH] [-cgroup-parent NAME] [-name NAME] -rootfs DIR [--] CMD [ARG...]
//
// It is the one-shot face of Min's runtime, used by
// scripts/bench/containers.sh to measure a container start beside crun and
// runc, one process per start. By default it runs the container from its
// own process (containers.Runtime.RunForeground), as crun does: the
// container's stdio is min-run's, and a start is one Go process and the
// container. With -shim the pod gets a shim as RunPod gives every pod
// (min-run itself with "self", or another binary such as min-shim); min-run
// then waits for it (WaitPod), prints the container's log to stdout and
// removes the pod (RemovePod).
//
// It imports only the containers package. It has no concurrency of its
// own; runs sharing a state directory and cgroup parent may overlap (the
// last to finish removes the parent cgroup).
package main
