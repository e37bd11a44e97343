package containers

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/minspace/min/containers/crilog"
	"github.com/minspace/min/containers/shim"
)

// LogPath is the current log file of a container (rotated files sit next to
// it as <path>.<n>); previous selects the instance before the current one.
func (r *Runtime) LogPath(uid, container string, previous bool) (string, error) {
	dir := r.podDir(uid)
	st, err := shim.ReadState(dir)
	if err != nil {
		return "", fmt.Errorf("containers: pod %s: %w", uid, ErrNotFound)
	}
	for _, c := range st.Containers {
		if c.Name != container {
			continue
		}
		n := c.RestartCount
		if previous {
			if n == 0 {
				return "", fmt.Errorf("containers: previous terminated container %q in pod %s: %w", container, uid, ErrNotFound)
			}
			n--
		}
		return filepath.Join(dir, shim.LogPath(container, n)), nil
	}
	return "", fmt.Errorf("containers: container %q in pod %s: %w", container, uid, ErrNotFound)
}

// ReadLogs writes a container's log lines to w, across rotated files in
// order. With Follow it keeps going until the instance stops or ctx ends.
func (r *Runtime) ReadLogs(ctx context.Context, uid, container string, opts LogOptions, w io.Writer) error {
	path, err := r.LogPath(uid, container, opts.Previous)
	if err != nil {
		return err
	}
	ropts := crilog.ReadOptions{Tail: opts.Tail, Since: opts.Since, Timestamps: opts.Timestamps,
		Follow: opts.Follow && !opts.Previous}
	if ropts.Follow {
		ropts.Done = func() bool { return r.instanceDone(uid, container, path) }
	}
	return crilog.Read(ctx, path, ropts, w)
}

// instanceDone reports whether the instance that writes path has ended.
func (r *Runtime) instanceDone(uid, container, path string) bool {
	cur, err := r.LogPath(uid, container, false)
	if err != nil || cur != path {
		return true
	}
	st, err := r.PodStatus(uid)
	if err != nil || !st.ShimAlive {
		return true
	}
	for _, c := range st.Containers {
		if c.Name == container {
			return c.State.Running == nil
		}
	}
	return true
}
