// Command min-run runs one container the way `crun run` does: a new pod
// sandbox with one container whose rootfs is a directory (through an
// overlay, so the directory is never written), waits for it to end, prints
// its output, removes everything and exits with the container's exit code.
//
//	min-run [-state DIR] [-shim PATH] [-cgroup-parent NAME] [-name NAME] -rootfs DIR [--] CMD [ARG...]
//
// It is the one-shot face of Min's runtime (containers.Runtime: RunPod,
// WaitPod, RemovePod), used by scripts/bench/containers.sh to measure a
// container start beside crun and runc, one process per start. The shim is
// min-run itself unless -shim names another binary (min-shim).
//
// It imports only the containers package. It has no concurrency of its
// own; runs sharing a state directory and cgroup parent may overlap (the
// last to finish removes the parent cgroup).
package main
