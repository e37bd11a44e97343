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
	os.Exit(run(os.Args[1:], [3]*os.File{os.Stdin, os.Stdout, os.Stderr}))
}

// run is main without the exit: the status is the container's exit code,
// or 125 when Min itself failed (as crun and docker do).
func run(args []string, stdio [3]*os.File) int {
	stderr := stdio[2]
	fs := flag.NewFlagSet("min-run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	state := fs.String("state", "/run/min-run", "state directory (pods' writable layers, logs, state)")
	shimBin := fs.String("shim", "", `run the pod with a shim: "self" (min-run) or a shim binary (default: none, as crun run)`)
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
	bin := *shimBin
	if bin == "self" {
		bin = "" // the runtime re-executes this binary
	}
	r, err := containers.New(containers.Options{StateDir: *state, ShimBinary: bin,
		CgroupParent: *parent, Images: rootfsImage(*rootfs)})
	if err != nil {
		fmt.Fprintln(stderr, "min-run:", err)
		return 125
	}
	spec := containers.PodSpec{UID: "run-" + strconv.Itoa(os.Getpid()), Name: *name, RestartPolicy: "Never",
		Containers: []containers.ContainerSpec{{Name: "c", Image: "rootfs", Command: fs.Args()}}}
	var code int
	if *shimBin == "" {
		code, err = foreground(r, spec, stdio)
	} else {
		code, err = withShim(r, spec, stdio[1])
	}
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

// foreground runs the pod from this process and removes the cgroup parent
// when no other run uses it.
func foreground(r *containers.Runtime, spec containers.PodSpec, stdio [3]*os.File) (int, error) {
	t, err := r.RunForeground(context.Background(), spec, stdio)
	err = errors.Join(err, r.RemoveCgroupParent())
	return t.ExitCode, err
}

// withShim runs the pod under a shim, waits for it, copies its log to
// stdout and removes the pod (and the cgroup parent, when no other run
// uses it).
func withShim(r *containers.Runtime, spec containers.PodSpec, stdout io.Writer) (int, error) {
	ctx := context.Background()
	err := r.RunPod(ctx, spec)
	if err != nil {
		return 0, errors.Join(err, r.RemoveCgroupParent())
	}
	code, err := wait(ctx, r, spec.UID, stdout)
	err = errors.Join(err, r.RemovePod(spec.UID), r.RemoveCgroupParent())
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
