package shim

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
)

// RoleEnv names the environment variable that turns a re-executed binary
// into a shim ("shim") or a pod's pid-namespace holder ("pause").
const RoleEnv = "MIN_CONTAINERS_ROLE"

// The argv[0] of each role, which Init checks as well.
const (
	ShimArg0  = "min-shim"
	PauseArg0 = "min-pause"
)

// SpareArg, as a shim's argv[1], makes it a spare: it starts in the state
// directory and waits for the line that names its pod directory.
const SpareArg = "spare"

// Files in a pod's directory (the shim's working directory).
const (
	ConfigFile = "config.json"
	StateFile  = "state.json"
	SocketFile = "ctl.sock"
	LogFile    = "shim.log"
	EtcDir     = "etc" // the pod's hosts and hostname files
)

// Config is what the runtime tells a shim about its pod. Images are already
// resolved and merged with the container specs.
type Config struct {
	UID                   string
	Namespace             string
	Name                  string
	Hostname              string
	ShareProcessNamespace bool
	RestartPolicy         string        // Always, OnFailure or Never
	GracePeriod           time.Duration // for stop requests with a negative grace
	BackoffInitial        time.Duration
	BackoffMax            time.Duration
	LogMaxSize            int64
	LogMaxFiles           int
	Cgroup                cgroup.Group // the pod's cgroup; containers get children
	Containers            []Container
}

// Container is one container of a pod, ready to run.
type Container struct {
	Name       string
	Image      string
	Layers     []string // rootfs layer directories, lowest first
	Argv       []string // argv[0] is looked up in PATH inside the rootfs
	Env        []string
	WorkingDir string
	User       string // uid[:gid] or a name from the image's /etc/passwd
	Limits     cgroup.Limits
	Seccomp    string // SeccompRuntimeDefault (""), SeccompUnconfined or SeccompLocalhost
	// SeccompFilter is the compiled program of a Localhost profile.
	SeccompFilter []unix.SockFilter `json:",omitempty"`
}

// State is the shim's record of its pod, in state.json.
type State struct {
	PID        int       // the shim's pid
	StartTime  uint64    // the shim's start time in clock ticks (from /proc), against pid reuse
	IP         string    // the pod IP, when networking is wired
	Stopping   bool      // StopPod was called: nothing restarts any more
	Containers []Status  // in spec order
	Updated    time.Time // when this state was written
}

// Status is one container's state, shaped as Kubernetes' ContainerStatus.
type Status struct {
	Name         string
	State        ContainerState
	LastState    ContainerState
	RestartCount int
	PID          int    // host pid of the running instance, 0 otherwise
	PIDStart     uint64 // its start time in clock ticks
}

// ContainerState holds exactly one of its members.
type ContainerState struct {
	Waiting    *Waiting    `json:",omitempty"`
	Running    *Running    `json:",omitempty"`
	Terminated *Terminated `json:",omitempty"`
}

// Waiting: ContainerCreating, CrashLoopBackOff.
type Waiting struct {
	Reason  string
	Message string `json:",omitempty"`
}

// Running records when the current instance started.
type Running struct {
	StartedAt time.Time
}

// Terminated records how an instance ended. Reason is Completed, Error,
// OOMKilled or StartError.
type Terminated struct {
	ExitCode   int
	Signal     int `json:",omitempty"`
	Reason     string
	Message    string `json:",omitempty"`
	StartedAt  time.Time
	FinishedAt time.Time
}

// Request is one control request.
type Request struct {
	Op        string        // stop, wait, exec, exit
	Grace     time.Duration `json:",omitempty"` // stop; < 0: the pod's GracePeriod
	Container string        `json:",omitempty"` // exec
	Argv      []string      `json:",omitempty"` // exec
	TTY       bool          `json:",omitempty"` // exec: open a terminal in the container
	Rows      uint16        `json:",omitempty"` // exec: the terminal's initial size
	Cols      uint16        `json:",omitempty"`
}

// Response answers a Request.
type Response struct {
	Error    string `json:",omitempty"`
	Started  bool   `json:",omitempty"` // exec: the first of two responses
	ExitCode int    // exec
}
