package containers

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/shim"
)

// Runtime runs pods. It keeps nothing in memory but per-pod locks and the
// spare shim (Options.SpareShim): the state directory and the shims are the
// truth, so any number of Runtimes (and engine restarts) see the same pods.
type Runtime struct {
	opts       Options
	exe        string
	cgroup     cgroup.Group // this process's own cgroups: pods go below
	cgroupRoot cgroup.Group // the hierarchies' roots, for absolute parents
	locksMu    sync.Mutex
	locks      map[string]*podLock // RunPod, StopPod and RemovePod of one pod in turn

	spareMu   sync.Mutex
	spare     *startedShim // Options.SpareShim: the shim the next pod gets, or nil
	refilling bool         // a spare is being started
	closed    bool
	spareWG   sync.WaitGroup
}

// podLock is one pod's lock, counted so the map only holds pods in use.
type podLock struct {
	sync.Mutex
	users int
}

// lock serialises the lifecycle calls on one pod (a delete that arrives
// while the pod starts waits for the start); it returns the unlock.
func (r *Runtime) lock(uid string) func() {
	r.locksMu.Lock()
	l := r.locks[uid]
	if l == nil {
		l = &podLock{}
		r.locks[uid] = l
	}
	l.users++
	r.locksMu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		r.locksMu.Lock()
		if l.users--; l.users == 0 {
			delete(r.locks, uid)
		}
		r.locksMu.Unlock()
	}
}

// parentGroup is the cgroup pods of parent go under: relative to this
// process's own cgroups, or to the hierarchy roots when it starts with "/"
// (on unified machines, a parent whose ancestors delegate the controllers).
func (r *Runtime) parentGroup(parent string) cgroup.Group {
	if strings.HasPrefix(parent, "/") {
		return r.cgroupRoot.Child(parent)
	}
	return r.cgroup.Child(parent)
}

// New prepares the state directory and finds the cgroups to nest under.
func New(opts Options) (*Runtime, error) {
	if opts.StateDir == "" {
		opts.StateDir = "/var/lib/min/containers"
	}
	if opts.CgroupParent == "" {
		opts.CgroupParent = "min"
	}
	if opts.BackoffInitial <= 0 {
		opts.BackoffInitial = 10 * time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 5 * time.Minute
	}
	// /proc/self/exe, not its target: it still runs this very binary after
	// an upgrade replaced the file.
	exe := "/proc/self/exe"
	if opts.ShimBinary != "" {
		exe = opts.ShimBinary
	}
	if err := os.MkdirAll(filepath.Join(opts.StateDir, "pods"), 0o700); err != nil {
		return nil, fmt.Errorf("containers: %w", err)
	}
	self, root, err := cgroup.SelfAndRoot(cgroup.Detect())
	if err != nil {
		return nil, fmt.Errorf("containers: %w", err)
	}
	return &Runtime{opts: opts, exe: exe, cgroup: self, cgroupRoot: root, locks: map[string]*podLock{}}, nil
}

func (r *Runtime) podDir(uid string) string {
	return filepath.Join(r.opts.StateDir, "pods", uid)
}

// RunPod creates the pod's sandbox (its shim), wires its network and starts
// its containers; it returns once each container has had its first start
// attempt. A failure undoes everything.
func (r *Runtime) RunPod(ctx context.Context, spec PodSpec) error {
	defer r.lock(spec.UID)()
	cfg, err := r.config(spec)
	if err != nil {
		return err
	}
	dir := r.podDir(spec.UID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("containers: pod %s: %w", spec.UID, ErrAlreadyExists)
		}
		return fmt.Errorf("containers: %w", err)
	}
	if err := r.runPod(ctx, dir, cfg); err != nil {
		if rerr := r.removePod(spec.UID); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("containers: run pod %s: %w", spec.UID, err)
	}
	return nil
}

func (r *Runtime) runPod(ctx context.Context, dir string, cfg shim.Config) error {
	if err := shim.WriteConfig(dir, cfg); err != nil {
		return err
	}
	sh, err := r.shimFor(dir)
	if err != nil {
		return err
	}
	defer sh.ready.Close()
	ip := ""
	if r.opts.Network != nil {
		// The shim's namespaces exist from its clone on: wire the
		// network while its Go runtime starts.
		ip, err = r.opts.Network.Setup(cfg.UID, netnsPath(sh.pid))
		if err != nil {
			sh.start.Close() // the shim ends on the closed pipe
			sh.kill()
			return fmt.Errorf("pod network: %w", err)
		}
	}
	// The start line: the shim starts the containers when it reads it
	// and answers on the ready pipe once each has had its first attempt.
	_, err = sh.start.WriteString(ip + "\n")
	sh.start.Close()
	if err == nil {
		err = readReady(ctx, sh.ready)
	}
	if err != nil {
		sh.kill()
		return fmt.Errorf("shim: %w", err)
	}
	return nil
}

// config validates spec and resolves its images into the shim's config.
func (r *Runtime) config(spec PodSpec) (shim.Config, error) {
	cfg := shim.Config{
		UID: spec.UID, Namespace: spec.Namespace, Name: spec.Name, Hostname: spec.Hostname,
		ShareProcessNamespace: spec.ShareProcessNamespace, RestartPolicy: spec.RestartPolicy,
		GracePeriod:    spec.TerminationGracePeriod,
		BackoffInitial: r.opts.BackoffInitial, BackoffMax: r.opts.BackoffMax,
		LogMaxSize: r.opts.LogMaxSize, LogMaxFiles: r.opts.LogMaxFiles,
	}
	if err := validate(spec); err != nil {
		return cfg, err
	}
	parent := r.opts.CgroupParent
	if spec.CgroupParent != "" {
		parent = spec.CgroupParent
	}
	cfg.Cgroup = r.parentGroup(parent).Child("pod-" + spec.UID)
	for _, c := range spec.Containers {
		cc, err := r.container(c)
		if err != nil {
			return cfg, err
		}
		cfg.Containers = append(cfg.Containers, cc)
	}
	return cfg, nil
}

func (r *Runtime) container(c ContainerSpec) (shim.Container, error) {
	if r.opts.Images == nil {
		return shim.Container{}, fmt.Errorf("containers: no image source for %q: %w", c.Image, ErrInvalid)
	}
	layers, img, err := r.opts.Images.Resolve(c.Image)
	if err != nil {
		return shim.Container{}, fmt.Errorf("containers: image %q: %w", c.Image, err)
	}
	args, err := argv(c, img)
	if err != nil {
		return shim.Container{}, err
	}
	wd := c.WorkingDir
	if wd == "" {
		wd = img.WorkingDir
	}
	return shim.Container{
		Name: c.Name, Image: c.Image, Layers: layers, Argv: args,
		Env: env(img.Env, c.Env), WorkingDir: wd, User: img.User, Limits: c.Limits,
		Seccomp: c.SeccompProfile, SeccompFilter: c.SeccompFilter,
	}, nil
}

func validate(spec PodSpec) error {
	var problems []string
	if spec.UID == "" || strings.ContainsAny(spec.UID, "/.") || len(spec.UID) > 64 {
		problems = append(problems, fmt.Sprintf("uid %q must be a non-empty name without '/' or '.'", spec.UID))
	}
	if spec.Name == "" {
		problems = append(problems, "name is required")
	}
	switch spec.RestartPolicy {
	case "", "Always", "OnFailure", "Never":
	default:
		problems = append(problems, fmt.Sprintf("restartPolicy %q: must be Always, OnFailure or Never", spec.RestartPolicy))
	}
	if len(spec.Containers) == 0 {
		problems = append(problems, "at least one container is required")
	}
	seen := map[string]bool{}
	for i, c := range spec.Containers {
		if c.Name == "" || strings.ContainsAny(c.Name, "/.") || seen[c.Name] {
			problems = append(problems, fmt.Sprintf("containers[%d].name %q: must be unique, non-empty, without '/' or '.'", i, c.Name))
		}
		seen[c.Name] = true
		switch {
		case c.SeccompProfile == shim.SeccompLocalhost && len(c.SeccompFilter) == 0:
			problems = append(problems, fmt.Sprintf("containers[%d].seccompProfile Localhost needs its compiled filter", i))
		case c.SeccompProfile != shim.SeccompLocalhost && len(c.SeccompFilter) > 0:
			problems = append(problems, fmt.Sprintf("containers[%d]: a seccomp filter is for seccompProfile Localhost", i))
		case len(c.SeccompFilter) > 4096: // BPF_MAXINSNS
			problems = append(problems, fmt.Sprintf("containers[%d]: seccomp filter of %d instructions: at most 4096", i, len(c.SeccompFilter)))
		}
		switch c.SeccompProfile {
		case "", shim.SeccompRuntimeDefault, shim.SeccompUnconfined, shim.SeccompLocalhost:
		default:
			problems = append(problems, fmt.Sprintf("containers[%d].seccompProfile %q: must be RuntimeDefault, Unconfined or Localhost", i, c.SeccompProfile))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("containers: pod %q: %s: %w", spec.Name, strings.Join(problems, "; "), ErrInvalid)
	}
	return nil
}

// startedShim is a shim just started: its ready pipe, and the pipe it
// reads its start line from.
type startedShim struct {
	*child
	ready, start *os.File
}

// shimFor returns the shim of the pod in dir: the spare, told its pod
// directory, or a new one.
func (r *Runtime) shimFor(dir string) (*startedShim, error) {
	if !r.opts.SpareShim {
		return r.startShim(dir, false)
	}
	r.spareMu.Lock()
	sh := r.spare
	r.spare = nil
	if !r.closed {
		r.startRefill()
	}
	r.spareMu.Unlock()
	if sh != nil {
		if _, err := sh.start.WriteString(dir + "\n"); err == nil {
			return sh, nil
		}
		sh.discard() // it died meanwhile
	}
	return r.startShim(dir, false)
}

// startRefill starts the next spare shim in the background unless one is
// on its way; the caller holds spareMu.
func (r *Runtime) startRefill() {
	if r.refilling || r.spare != nil {
		return
	}
	r.refilling = true
	r.spareWG.Add(1)
	go func() {
		defer r.spareWG.Done()
		sh, err := r.startShim(r.opts.StateDir, true)
		r.spareMu.Lock()
		defer r.spareMu.Unlock()
		r.refilling = false
		switch {
		case err != nil:
		case r.closed:
			sh.discard()
		default:
			r.spare = sh
		}
	}()
}

// Close ends the spare shim (Options.SpareShim). Pods keep running.
func (r *Runtime) Close() error {
	r.spareMu.Lock()
	r.closed = true
	r.spareMu.Unlock()
	r.spareWG.Wait() // a spare being started is discarded when it is up
	r.spareMu.Lock()
	sh := r.spare
	r.spare = nil
	r.spareMu.Unlock()
	if sh != nil {
		sh.discard()
	}
	return nil
}

// discard ends a shim that has no pod (it ends when its start pipe
// closes) and waits until it is reaped.
func (sh *startedShim) discard() {
	sh.start.Close()
	sh.ready.Close()
	sh.kill()
	<-sh.done
}

// startShim re-executes this binary as the pod's shim in new net, uts and
// ipc namespaces, in its own session, in the pod directory dir. A spare
// shim starts in dir (the state directory) with no log, and waits for the
// line that names its pod directory. The caller writes the start line (the
// pod IP, or nothing) and reads the ready line.
func (r *Runtime) startShim(dir string, spare bool) (*startedShim, error) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	logf, argv := null, []string{shim.ShimArg0}
	if spare {
		argv = append(argv, shim.SpareArg)
	} else {
		logf, err = os.OpenFile(filepath.Join(dir, shim.LogFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		defer logf.Close()
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyW.Close()
	startR, startW, err := os.Pipe()
	if err != nil {
		readyR.Close()
		return nil, err
	}
	defer startR.Close()
	c, err := spawn(r.exe, argv, &syscall.ProcAttr{
		Dir:   dir,
		Env:   []string{shim.RoleEnv + "=shim", "GOMAXPROCS=1"}, // a shim needs no parallelism
		Files: []uintptr{null.Fd(), logf.Fd(), logf.Fd(), readyW.Fd(), startR.Fd()},
		Sys: &syscall.SysProcAttr{
			Setsid:     true,
			Cloneflags: syscall.CLONE_NEWNET | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC,
		},
	})
	if err != nil {
		readyR.Close()
		startW.Close()
		return nil, fmt.Errorf("start shim: %w", err)
	}
	// Reap the shim if it ends while we live; if we die first, init does.
	go c.reap()
	return &startedShim{child: c, ready: readyR, start: startW}, nil
}

// readReady reads the shim's ready line: "ok", or the error that stopped
// it.
func readReady(ctx context.Context, ready *os.File) error {
	line, err := readLine(ctx, ready)
	if err != nil {
		return err
	}
	if line != "ok" {
		return errors.New(strings.TrimPrefix(line, "error: "))
	}
	return nil
}

// readLine reads one line from the pipe f, or fails when ctx ends.
func readLine(ctx context.Context, f *os.File) (string, error) {
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	s, err := bufio.NewReaderSize(f, 256).ReadString('\n')
	s = strings.TrimSpace(s)
	if err != nil && s == "" {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("no ready line: %w", err)
	}
	return s, nil
}

func netnsPath(pid int) string { return fmt.Sprintf("/proc/%d/ns/net", pid) }

// NetNSPath is the pod's network namespace (for port-forward), or "" when
// its shim is not running.
func (r *Runtime) NetNSPath(uid string) string {
	st, err := shim.ReadState(r.podDir(uid))
	if err != nil || !shim.Alive(st.PID, st.StartTime) {
		return ""
	}
	return netnsPath(st.PID)
}

// PodStatus reads the pod's state as its shim recorded it.
func (r *Runtime) PodStatus(uid string) (PodState, error) {
	st, err := shim.ReadState(r.podDir(uid))
	if errors.Is(err, os.ErrNotExist) {
		return PodState{}, fmt.Errorf("containers: pod %s: %w", uid, ErrNotFound)
	}
	if err != nil {
		return PodState{}, fmt.Errorf("containers: %w", err)
	}
	ps := PodState{
		UID: uid, IP: st.IP, ShimAlive: shim.Alive(st.PID, st.StartTime),
		Stopping: st.Stopping, Containers: st.Containers,
	}
	if !ps.ShimAlive {
		lost(ps.Containers)
	}
	return ps, nil
}

// lost marks as terminated the containers recorded running that are gone
// while their shim was not there to record it, as the kubelet does for
// containers it cannot find.
func lost(cs []ContainerStatus) {
	for i := range cs {
		run := cs[i].State.Running
		if run == nil || shim.Alive(cs[i].PID, cs[i].PIDStart) {
			continue
		}
		cs[i].State = ContainerState{Terminated: &StateTerminated{
			ExitCode: 137, Reason: "ContainerStatusUnknown", StartedAt: run.StartedAt,
			Message: "The container could not be located when the pod was terminated",
		}}
		cs[i].PID, cs[i].PIDStart = 0, 0
	}
}

// ListPods returns the pods whose shims are alive.
func (r *Runtime) ListPods() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(r.opts.StateDir, "pods"))
	if err != nil {
		return nil, fmt.Errorf("containers: %w", err)
	}
	var out []string
	for _, e := range entries {
		st, err := shim.ReadState(r.podDir(e.Name()))
		if err == nil && shim.Alive(st.PID, st.StartTime) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// WaitPod returns when none of the pod's containers runs or will restart.
func (r *Runtime) WaitPod(ctx context.Context, uid string) error {
	conn, err := shim.Dial(r.podDir(uid))
	if err != nil {
		return fmt.Errorf("containers: pod %s: %w", uid, ErrNotRunning)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := shim.Roundtrip(conn, shim.Request{Op: "wait"}); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("containers: %w", err)
	}
	return nil
}

// StopPod stops every container: SIGTERM, SIGKILL after grace (negative:
// the pod's TerminationGracePeriod). Nothing restarts afterwards. Without a live shim, it kills what is left in the
// pod's cgroups.
func (r *Runtime) StopPod(uid string, grace time.Duration) error {
	defer r.lock(uid)()
	dir := r.podDir(uid)
	st, err := shim.ReadState(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("containers: pod %s: %w", uid, ErrNotFound)
	}
	if err == nil && shim.Alive(st.PID, st.StartTime) {
		if _, err := shim.Call(dir, shim.Request{Op: "stop", Grace: grace}); err != nil {
			return fmt.Errorf("containers: stop pod %s: %w", uid, err)
		}
		return nil
	}
	cfg, err := shim.ReadConfig(dir)
	if err != nil {
		return fmt.Errorf("containers: %w", err)
	}
	return cfg.Cgroup.Kill()
}

// RemoveCgroupParent removes the cgroups pods go under
// (Options.CgroupParent) if no pod uses them any more; a one-shot client
// calls it last, while a long-lived one keeps them. It never kills and
// never waits.
func (r *Runtime) RemoveCgroupParent() error {
	return r.parentGroup(r.opts.CgroupParent).RemoveIfEmpty()
}

// RemovePod stops the pod if needed and removes everything it had: network
// (through PodNetwork.Teardown), shim, namespaces, cgroups, writable layers,
// logs and state.
func (r *Runtime) RemovePod(uid string) error {
	defer r.lock(uid)()
	return r.removePod(uid)
}

func (r *Runtime) removePod(uid string) error {
	dir := r.podDir(uid)
	cfg, cerr := shim.ReadConfig(dir)
	st, serr := shim.ReadState(dir)
	var errs []error
	alive := serr == nil && shim.Alive(st.PID, st.StartTime)
	if r.opts.Network != nil && cerr == nil {
		ns := ""
		if alive {
			ns = netnsPath(st.PID)
		}
		if err := r.opts.Network.Teardown(uid, ns); err != nil {
			errs = append(errs, fmt.Errorf("pod network: %w", err))
		}
	}
	if alive {
		if _, err := shim.Call(dir, shim.Request{Op: "exit"}); err != nil {
			errs = append(errs, err)
		}
		if err := waitGone(st.PID, st.StartTime, 10*time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if cerr == nil {
		if err := cfg.Cgroup.Remove(5 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("containers: remove pod %s: %w", uid, err)
	}
	return nil
}

// waitGone waits until the process has exited (a zombie counts as gone: its
// namespaces and descriptors are released): through a pidfd, which wakes us
// exactly then, else by polling.
func waitGone(pid int, start uint64, timeout time.Duration) error {
	if f, err := openPidfd(pid); err == nil {
		defer f.Close()
		if !shim.Alive(pid, start) { // the pidfd may name a reused pid
			return nil
		}
		gone, err := awaitExit(f, timeout)
		if gone {
			return nil
		}
		if err == nil {
			unix.PidfdSendSignal(int(f.Fd()), unix.SIGKILL, nil, 0)
			return fmt.Errorf("shim %d did not exit", pid)
		}
	}
	deadline := time.Now().Add(timeout)
	for shim.Alive(pid, start) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("shim %d did not exit", pid)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}
