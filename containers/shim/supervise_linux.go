package shim

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/crilog"
)

// ctr supervises one container across its instances.
type ctr struct {
	shim  *shim
	spec  Container
	index int
	proc  *os.Process // current instance, guarded by shim.mu
}

// instance is one started process of a container and its log plumbing.
type instance struct {
	cmd     *exec.Cmd
	group   cgroup.Group
	log     *crilog.Writer
	copies  sync.WaitGroup
	readers []*os.File
	started time.Time
}

// run starts the container, waits for it, and restarts it per the policy
// until the policy or a stop says no more.
func (c *ctr) run(firstDone func()) {
	s := c.shim
	bo := backoff{initial: s.cfg.BackoffInitial, max: s.cfg.BackoffMax}
	for restart := 0; ; restart++ {
		p := c.once(restart)
		if restart == 0 {
			firstDone()
		}
		term := c.wait(p)
		if s.isStopping() || !shouldRestart(s.cfg.RestartPolicy, term.ExitCode) {
			return
		}
		if d := bo.next(time.Now()); d > 0 {
			c.backOff(d, term)
			select {
			case <-time.After(d):
			case <-s.stopCh:
				// Stopped while backing off: the last instance's end is
				// the container's state again.
				s.update(func(st *State) { st.Containers[c.index].State = ContainerState{Terminated: &term} })
				return
			}
		}
	}
}

// once starts instance number restart and records it as running, or returns
// the StartError that stopped it (as a pending terminated state).
func (c *ctr) once(restart int) *pending {
	inst, err := c.start(restart)
	now := time.Now().UTC()
	c.shim.update(func(st *State) {
		cs := &st.Containers[c.index]
		if restart > 0 {
			cs.LastState = ContainerState{Terminated: lastTerminated(cs.State, cs.LastState)}
		}
		cs.RestartCount = restart
		if err != nil {
			cs.State = ContainerState{Terminated: &Terminated{
				ExitCode: 128, Reason: "StartError", Message: err.Error(), StartedAt: now, FinishedAt: now,
			}}
			return
		}
		start, _ := StartTime(inst.cmd.Process.Pid)
		cs.State = ContainerState{Running: &Running{StartedAt: inst.started}}
		cs.PID, cs.PIDStart = inst.cmd.Process.Pid, start
		c.proc = inst.cmd.Process
	})
	return &pending{inst: inst, err: err}
}

// pending is an instance being waited for, or a start that failed.
type pending struct {
	inst *instance
	err  error
}

func lastTerminated(cur, last ContainerState) *Terminated {
	if cur.Terminated != nil {
		return cur.Terminated
	}
	return last.Terminated
}

// wait waits for the instance to end and records how it ended.
func (c *ctr) wait(p *pending) Terminated {
	if p.err != nil {
		return Terminated{ExitCode: 128, Reason: "StartError", Message: p.err.Error()}
	}
	inst := p.inst
	werr := inst.cmd.Wait()
	finished := time.Now().UTC()
	inst.drain()
	term := terminated(werr, inst.group, inst.started, finished)
	c.shim.update(func(st *State) {
		cs := &st.Containers[c.index]
		cs.State = ContainerState{Terminated: &term}
		cs.PID, cs.PIDStart = 0, 0
		c.proc = nil
	})
	return term
}

// terminated is how an instance ended, from cmd.Wait's error and the
// OOM kills of its cgroup.
func terminated(werr error, group cgroup.Group, started, finished time.Time) Terminated {
	term := Terminated{StartedAt: started, FinishedAt: finished}
	var ee *exec.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &ee):
		ws, _ := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			term.Signal = int(ws.Signal())
			term.ExitCode = 128 + term.Signal
		} else {
			term.ExitCode = ws.ExitStatus()
		}
	default:
		term.ExitCode, term.Message = 128, werr.Error()
	}
	term.Reason = "Completed"
	if term.ExitCode != 0 {
		term.Reason = "Error"
	}
	if n, err := group.OOMKills(); err == nil && n > 0 {
		term.Reason = "OOMKilled"
	}
	return term
}

// backOff records the CrashLoopBackOff wait.
func (c *ctr) backOff(d time.Duration, term Terminated) {
	s := c.shim
	msg := fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
		d, c.spec.Name, s.cfg.Name, s.cfg.Namespace, s.cfg.UID)
	s.update(func(st *State) {
		cs := &st.Containers[c.index]
		cs.LastState = ContainerState{Terminated: &term}
		cs.State = ContainerState{Waiting: &Waiting{Reason: "CrashLoopBackOff", Message: msg}}
	})
}

// LogPath is where instance restart of container name logs, relative to
// the pod directory.
func LogPath(name string, restart int) string {
	return filepath.Join("logs", name, strconv.Itoa(restart)+".log")
}

// start prepares a fresh writable layer, cgroup and log file, then starts
// the process.
func (c *ctr) start(restart int) (*instance, error) {
	s := c.shim
	// Paths relative to the pod directory (the shim's working directory):
	// once it is deleted they fail, where absolute ones would recreate it.
	base := filepath.Join("containers", c.spec.Name)
	l := launch{
		c:      c.spec,
		rootfs: filepath.Join(base, "rootfs"),
		upper:  filepath.Join(base, "upper"),
		work:   filepath.Join(base, "work"),
		group:  s.cfg.Cgroup.Child(c.spec.Name),
		pidNS:  s.pidNS,
		etc:    EtcDir,
	}
	if restart == 0 {
		l.gate = s.wired
	}
	// The first instance's directories and cgroup cannot exist yet.
	if err := freshDirs(l, restart > 0); err != nil {
		return nil, err
	}
	if err := freshGroup(l.group, c.spec.Limits, restart > 0); err != nil {
		return nil, err
	}
	inst := &instance{group: l.group}
	if err := inst.openLog(s, c.spec.Name, restart); err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	l.stdio = [3]*os.File{s.null, outW, errW}
	inst.started = time.Now().UTC()
	cmd, err := startContainer(l)
	outW.Close()
	errW.Close()
	inst.readers = []*os.File{outR, errR}
	if err != nil {
		inst.readers[0].Close()
		inst.readers[1].Close()
		inst.log.Close()
		return nil, err
	}
	inst.cmd = cmd
	inst.copy(crilog.Stdout, outR)
	inst.copy(crilog.Stderr, errR)
	return inst, nil
}

// freshDirs prepares an empty writable layer (removing the last one when
// old): Kubernetes starts every instance from the image, dropping the last
// instance's writes.
func freshDirs(l launch, old bool) error {
	for _, d := range []string{l.upper, l.work} {
		if !old {
			break
		}
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	for _, d := range []string{l.rootfs, l.upper, l.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// freshGroup replaces the container's cgroup (when old) by a new one with
// limits, so memory use and OOM counts start from zero for every instance.
func freshGroup(g cgroup.Group, l cgroup.Limits, old bool) error {
	if old {
		if err := g.Remove(2 * time.Second); err != nil {
			return err
		}
	}
	if err := g.Create(); err != nil {
		return err
	}
	return g.Set(l)
}

func (inst *instance) openLog(s *shim, name string, restart int) error {
	// The kubelet keeps the current and the previous instance's logs.
	if restart >= 2 {
		old := LogPath(name, restart-2)
		for _, f := range crilog.Files(old) {
			os.Remove(f)
		}
	}
	w, err := crilog.Create(LogPath(name, restart),
		crilog.Options{MaxSize: s.cfg.LogMaxSize, MaxFiles: s.cfg.LogMaxFiles})
	inst.log = w
	return err
}

func (inst *instance) copy(stream string, r *os.File) {
	inst.copies.Add(1)
	go func() {
		defer inst.copies.Done()
		if err := inst.log.Copy(stream, r); err != nil {
			fmt.Fprintf(os.Stderr, "shim: log %s: %v\n", stream, err)
		}
	}()
}

// drain waits for the log copies to reach EOF. A process that escaped the
// instance (possible only in a shared pid namespace) may hold the pipes
// open: stop waiting after a while.
func (inst *instance) drain() {
	done := make(chan struct{})
	go func() { inst.copies.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		for _, r := range inst.readers {
			r.Close()
		}
		<-done
	}
	for _, r := range inst.readers {
		r.Close()
	}
	inst.log.Close()
}
