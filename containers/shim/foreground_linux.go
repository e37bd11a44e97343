package shim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Foreground runs the one container of cfg from the calling process, with
// stdio as its stdin, stdout and stderr, and waits for it to end: the
// `crun run` way, with no shim process, no control socket, no state file,
// no log and no /etc/hosts or /etc/hostname of the pod's. The sandbox (new net, uts, ipc, pid and mount namespaces,
// hostname, loopback) is made by the throwaway thread that starts the
// container, with every confinement of a shim's containers (see
// startContainer). dir is the pod's directory (writable layer, /etc files);
// the caller removes it afterwards. The pod's cgroup is removed before
// Foreground returns. When ctx ends, the container is killed.
func Foreground(ctx context.Context, dir string, cfg Config, stdio [3]*os.File) (Terminated, error) {
	if len(cfg.Containers) != 1 {
		return Terminated{}, errors.New("shim: a foreground pod has exactly one container")
	}
	// os/exec probes pidfd support on its first start with a fork: it must
	// not be the first child of the container's fresh pid namespace.
	os.FindProcess(os.Getpid())
	c := cfg.Containers[0]
	// Less than a shim's pod: no /etc files, one cgroup (the pod's), the
	// overlay's directories right in dir, all made fresh.
	l := launch{
		c:       c,
		rootfs:  filepath.Join(dir, "rootfs"),
		upper:   filepath.Join(dir, "upper"),
		work:    filepath.Join(dir, "work"),
		group:   cfg.Cgroup,
		stdio:   stdio,
		sandbox: cfg.hostname(),
	}
	for _, d := range []string{l.rootfs, l.upper, l.work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return Terminated{}, err
		}
	}
	if err := l.group.Create(); err != nil {
		return Terminated{}, err
	}
	term, err := foreground(ctx, l)
	if rerr := l.group.Remove(5 * time.Second); err == nil {
		err = rerr
	}
	return term, err
}

func foreground(ctx context.Context, l launch) (Terminated, error) {
	if err := l.group.Set(l.c.Limits); err != nil {
		return Terminated{}, err
	}
	started := time.Now().UTC()
	cmd, err := startContainer(l)
	if err != nil {
		return Terminated{}, err
	}
	stop := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	werr := cmd.Wait()
	stop()
	return terminated(werr, l.group, started, time.Now().UTC()), nil
}
