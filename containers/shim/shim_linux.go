package shim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// shim is the state of one running shim process.
type shim struct {
	cfg   Config
	dir   string
	pause *os.Process // holder of the shared pid namespace, or nil
	pidNS *os.File
	null  *os.File

	mu      sync.Mutex
	changed *sync.Cond // broadcast on every state change
	state   State
	ctrs    []*ctr
	started bool
	exiting bool           // an exit request is under way: the pod directory goes next, state.json with it
	wg      sync.WaitGroup // supervisors

	stopCh   chan struct{} // closed by the first stop
	stopOnce sync.Once
	allDone  chan struct{} // closed when every supervisor has returned
	wired    chan struct{} // closed once the pod network is wired: first instances may run
}

// Main runs the shim in the current directory (a pod directory) and never
// returns. fd 3 is the ready pipe: it receives "ok\n" once the containers
// have had their first start attempt, or the error that stopped the shim.
// fd 4 is the start pipe: the runtime writes the pod IP (or nothing) and a
// newline there once the pod network is wired; the shim sets itself up
// meanwhile, and ends if the pipe closes without a line. A spare shim
// (argv[1] SpareArg) first reads the line that names its pod directory.
func Main() {
	runtime.LockOSThread() // keep the main thread out of throwaway duty
	ready := os.NewFile(3, "ready")
	start := bufio.NewReaderSize(os.NewFile(4, "start"), 512)
	fail := func(err error) {
		fmt.Fprintf(ready, "error: %v\n", err)
		fmt.Fprintf(os.Stderr, "shim: %v\n", err)
		os.Exit(1)
	}
	prepare()
	if len(os.Args) > 1 && os.Args[1] == SpareArg {
		warm()
		if err := adopt(start); err != nil {
			fail(err)
		}
	}
	s, err := newShim()
	if err != nil {
		fail(err)
	}
	ln, err := s.listen()
	if err != nil {
		fail(err)
	}
	go s.serve(ln) // exec and stop may come while the containers start
	// The /etc files the containers bind-mount; setIP rewrites hosts in
	// place once the IP is known.
	if err := s.writeEtc(""); err != nil {
		fail(err)
	}
	started := make(chan error, 1)
	go func() { started <- s.start() }()
	ip, err := readStartLine(start)
	if err == nil {
		err = s.setIP(ip)
	}
	if err != nil {
		fail(err) // the stopped containers die with us (PTRACE_O_EXITKILL)
	}
	close(s.wired)
	if err := <-started; err != nil {
		fail(err)
	}
	fmt.Fprintln(ready, "ok")
	ready.Close()
	select {}
}

// prepare is the set-up that needs no pod (a spare does it ahead).
func prepare() {
	// Catch (rather than ignore) what a terminal or a shutdown might send:
	// ignored dispositions would be inherited by the containers.
	signal.Notify(make(chan os.Signal, 1), unix.SIGHUP, unix.SIGINT, unix.SIGTERM)
	// Make os/exec probe for pidfd support now: the probe forks, and a
	// fork from a thread whose pid namespace is fresh would use it up.
	os.FindProcess(os.Getpid())
}

// warm does ahead what a start would otherwise pay on its way: the
// loopback up, and encoding/json's per-type caches (built by reflection
// on first use) for the config, the state and the control messages.
func warm() {
	loopbackUp()
	var c Config
	json.Unmarshal([]byte(`{"Cgroup":{"Dirs":{"":""}},"Containers":[{"Limits":{},"SeccompFilter":[{}]}]}`), &c)
	json.Marshal(State{Containers: []Status{{State: ContainerState{Waiting: &Waiting{}, Running: &Running{}, Terminated: &Terminated{}}}}})
	var req Request
	json.Unmarshal([]byte(`{}`), &req)
	json.Marshal(Response{})
}

// adopt makes a spare shim the shim of the pod whose directory the runtime
// names: it moves there and logs to the pod's shim log. A spare whose
// runtime goes away (the pipe closes) exits quietly.
func adopt(start *bufio.Reader) error {
	dir, err := readStartLine(start)
	if err != nil {
		os.Exit(0)
	}
	if err := os.Chdir(dir); err != nil {
		return err
	}
	logf, err := os.OpenFile(LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	for _, fd := range []int{1, 2} {
		if err := unix.Dup3(int(logf.Fd()), fd, 0); err != nil {
			return fmt.Errorf("shim log: %w", err)
		}
	}
	return nil
}

// readStartLine reads one line of the start pipe.
func readStartLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return "", fmt.Errorf("no start line: %w", err)
	}
	return string(bytes.TrimSuffix(line, []byte("\n"))), nil
}

func newShim() (*shim, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	s := &shim{cfg: cfg, dir: dir, stopCh: make(chan struct{}), allDone: make(chan struct{}), wired: make(chan struct{})}
	s.changed = sync.NewCond(&s.mu)
	if s.null, err = os.Open(os.DevNull); err != nil {
		return nil, err
	}
	if err := s.sandbox(); err != nil {
		return nil, err
	}
	if err := cfg.Cgroup.Create(); err != nil {
		return nil, err
	}
	if err := s.initState(); err != nil {
		return nil, err
	}
	return s, nil
}

// sandbox finishes the pod's namespaces: the runtime cloned us into new net,
// uts and ipc namespaces.
func (s *shim) sandbox() error {
	if err := threadSandbox(s.hostname()); err != nil {
		return err
	}
	if s.cfg.ShareProcessNamespace {
		return s.startPause()
	}
	return nil
}

// threadSandbox names the calling thread's uts namespace and brings up the
// loopback of its net namespace (namespaces the caller made new).
func threadSandbox(hostname string) error {
	if err := unix.Sethostname([]byte(hostname)); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	return loopbackUp()
}

// hostname is the pod's hostname: spec.hostname, else the pod name.
func (s *shim) hostname() string { return s.cfg.hostname() }

func (c Config) hostname() string {
	if c.Hostname != "" {
		return c.Hostname
	}
	return c.Name
}

// writeEtc writes the pod's /etc/hosts and /etc/hostname, which every
// container gets bind-mounted (the kubelet manages the same two files).
func (s *shim) writeEtc(ip string) error { return writeEtc(EtcDir, s.hostname(), ip) }

func writeEtc(dir, hostname, ip string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	hosts := "# Kubernetes-managed hosts file (Min).\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	if ip != "" {
		hosts += ip + "\t" + hostname + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "hosts"), []byte(hosts), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "hostname"), []byte(hostname+"\n"), 0o644)
}

func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback up: %w", err)
	}
	return nil
}

// startPause starts the holder of the pod's shared pid namespace: a re-exec
// of this binary that only reaps (it is the namespace's init).
func (s *shim) startPause() error {
	attr := &os.ProcAttr{
		Env:   []string{RoleEnv + "=pause"},
		Files: []*os.File{s.null, s.null, s.null},
		// Pdeathsig: the pause dies with the shim (this is the main
		// thread, which lives as long as the shim), and the kernel then
		// kills everything in the pod's pid namespace.
		Sys: &unix.SysProcAttr{Cloneflags: unix.CLONE_NEWPID, Setsid: true, Pdeathsig: unix.SIGKILL},
	}
	p, err := os.StartProcess("/proc/self/exe", []string{PauseArg0}, attr)
	if err != nil {
		return fmt.Errorf("start pod pid namespace: %w", err)
	}
	s.pause = p
	s.pidNS, err = os.Open(fmt.Sprintf("/proc/%d/ns/pid", p.Pid))
	return err
}

// Pause is the main of the shared pid namespace's init: reap, forever.
func Pause() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, unix.SIGCHLD)
	signal.Ignore(unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGPIPE)
	for range sig {
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

func (s *shim) initState() error {
	start, err := StartTime(os.Getpid())
	if err != nil {
		return err
	}
	s.state = State{PID: os.Getpid(), StartTime: start}
	for _, c := range s.cfg.Containers {
		s.state.Containers = append(s.state.Containers, Status{
			Name:  c.Name,
			State: ContainerState{Waiting: &Waiting{Reason: "ContainerCreating"}},
		})
		s.ctrs = append(s.ctrs, &ctr{shim: s, spec: c, index: len(s.ctrs)})
	}
	return s.save()
}

// save writes state.json; the caller holds s.mu (or is alone).
func (s *shim) save() error {
	s.state.Updated = time.Now().UTC()
	return writeJSON(StateFile, s.state)
}

// update applies fn to the state under the lock, saves and wakes waiters.
func (s *shim) update(fn func(st *State)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.state)
	if !s.exiting {
		if err := s.save(); err != nil {
			fmt.Fprintf(os.Stderr, "shim: save state: %v\n", err)
		}
	}
	s.changed.Broadcast()
}
