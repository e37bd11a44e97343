package containers

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/minspace/min/containers/shim"
)

// RunForeground runs a pod of one container from this process, with stdio
// (stdin, stdout, stderr) as the container's, waits for it to end and
// removes everything it had: what `crun run` does, for one-shot clients
// such as containers/cmd/min-run. There is no shim (the pod cannot outlive
// the caller, and PodStatus, Exec and logs do not see it) and no pod
// network (Options.Network is not used: loopback only); the container gets
// the same namespaces, rootfs, mounts, capabilities, no_new_privs, seccomp
// profile and cgroup limits as in RunPod. When ctx ends the container is
// killed. It returns how the container ended.
func (r *Runtime) RunForeground(ctx context.Context, spec PodSpec, stdio [3]*os.File) (StateTerminated, error) {
	defer r.lock(spec.UID)()
	if len(spec.Containers) != 1 {
		return StateTerminated{}, fmt.Errorf("containers: pod %q: a foreground pod has exactly one container: %w", spec.Name, ErrInvalid)
	}
	cfg, err := r.config(spec)
	if err != nil {
		return StateTerminated{}, err
	}
	dir := r.podDir(spec.UID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return StateTerminated{}, fmt.Errorf("containers: pod %s: %w", spec.UID, ErrAlreadyExists)
		}
		return StateTerminated{}, fmt.Errorf("containers: %w", err)
	}
	term, err := shim.Foreground(ctx, dir, cfg, stdio)
	err = errors.Join(err, os.RemoveAll(dir))
	if err != nil {
		return term, fmt.Errorf("containers: run pod %s: %w", spec.UID, err)
	}
	return term, nil
}
