package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/minspace/min/containers"
)

func main() {
	containers.Init() // the shim's role, when min-run is its own shim
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit: the status is the container's exit code,
// or 125 when Min itself failed (as crun and docker do).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("min-run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	state := fs.String("state", "/run/min-run", "state directory (pods' writable layers, logs, state)")
	shimBin := fs.String("shim", "", "shim binary (default: min-run itself)")
	parent := fs.String("cgroup-parent", "min-run", "cgroup the pod's cgroup goes under, relative to this process's")
	name := fs.String("name", "run", "pod name (and hostname)")
	rootfs := fs.String("rootfs", "", "the container's root filesystem, a directory (required)")
	if err := fs.Parse(args); err != nil {
		return 125
	}
	if *rootfs == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: min-run [flags] -rootfs DIR [--] CMD [ARG...]")
		fs.PrintDefaults()
		return 125
	}
	r, err := containers.New(containers.Options{StateDir: *state, ShimBinary: *shimBin,
		CgroupParent: *parent, Images: rootfsImage(*rootfs)})
	if err != nil {
		fmt.Fprintln(stderr, "min-run:", err)
		return 125
	}
	code, err := runOnce(r, *name, fs.Args(), stdout)
	if err != nil {
		fmt.Fprintln(stderr, "min-run:", err)
		return 125
	}
	return code
}

// rootfsImage resolves every reference to one rootfs directory.
type rootfsImage string

func (d rootfsImage) Resolve(string) ([]string, containers.ImageConfig, error) {
	return []string{string(d)}, containers.ImageConfig{}, nil
}

// runOnce runs argv in a new pod and removes the pod (and the cgroup
// parent, when no other run uses it).
func runOnce(r *containers.Runtime, name string, argv []string, stdout io.Writer) (int, error) {
	uid := "run-" + strconv.Itoa(os.Getpid())
	ctx := context.Background()
	err := r.RunPod(ctx, containers.PodSpec{UID: uid, Name: name, RestartPolicy: "Never",
		Containers: []containers.ContainerSpec{{Name: "c", Image: "rootfs", Command: argv}}})
	if err != nil {
		return 0, errors.Join(err, r.RemoveCgroupParent())
	}
	code, err := wait(ctx, r, uid, stdout)
	err = errors.Join(err, r.RemovePod(uid), r.RemoveCgroupParent())
	return code, err
}

// wait waits for the container to end, copies its log to stdout and
// returns its exit code.
func wait(ctx context.Context, r *containers.Runtime, uid string, stdout io.Writer) (int, error) {
	if err := r.WaitPod(ctx, uid); err != nil {
		return 0, err
	}
	if err := r.ReadLogs(ctx, uid, "c", containers.LogOptions{}, stdout); err != nil {
		return 0, err
	}
	st, err := r.PodStatus(uid)
	if err != nil {
		return 0, err
	}
	t := st.Containers[0].State.Terminated
	if t == nil {
		return 0, fmt.Errorf("container did not end: %+v", st.Containers[0].State)
	}
	if t.Reason == "StartError" {
		return 0, errors.New(t.Message)
	}
	return t.ExitCode, nil
}
