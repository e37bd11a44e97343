package containers

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/shim"
)

// Options configures a Runtime. The zero value is usable: state in
// /var/lib/min/containers, logs rotated at 10 MiB keeping 5 files, no pod
// network (loopback only), cgroups under "min".
type Options struct {
	StateDir     string
	LogMaxSize   int64
	LogMaxFiles  int
	Images       ImageSource
	Network      PodNetwork // nil: pods get loopback only
	CgroupParent string     // relative to the runtime's own cgroups ("min"), or absolute from the hierarchy roots
	// BackoffInitial and BackoffMax are the restart back-off (Kubernetes:
	// 10 s doubling to 5 min); tests shorten them.
	BackoffInitial time.Duration
	BackoffMax     time.Duration
	// ShimBinary is the program re-executed as each pod's shim; it must
	// call Init first thing. Empty: this very binary (/proc/self/exe).
	ShimBinary string
	// SpareShim keeps one shim started ahead, its Go runtime up and its
	// sandbox namespaces made, which RunPod hands the next pod to instead
	// of waiting for a process to start (and then starts the next spare).
	// The first spare starts with the first RunPod, so a runtime that runs
	// no pod has none. For long-lived runtimes (the engine's node agents);
	// Close ends it.
	SpareShim bool
}

// ImageSource resolves an image reference to its rootfs layers and config.
type ImageSource interface {
	Resolve(ref string) (layers []string, cfg ImageConfig, err error) // layers lowest first
}

// ImageConfig is the part of an image's config the runtime uses.
type ImageConfig struct {
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
	User       string
}

// ImageSourceFunc adapts a function to ImageSource, e.g. an image store
// whose config type has the same fields:
//
//	containers.ImageSourceFunc(func(ref string) ([]string, containers.ImageConfig, error) {
//		layers, cfg, err := store.Resolve(ref)
//		return layers, containers.ImageConfig(cfg), err
//	})
type ImageSourceFunc func(ref string) ([]string, ImageConfig, error)

// Resolve calls f.
func (f ImageSourceFunc) Resolve(ref string) ([]string, ImageConfig, error) { return f(ref) }

// PodNetwork wires a pod's network namespace (eth0 on the node bridge, an
// address from the node's pod CIDR). Teardown must tolerate a namespace that
// is already gone (netnsPath "").
type PodNetwork interface {
	Setup(podID, netnsPath string) (ip string, err error)
	Teardown(podID, netnsPath string) error
}

// PodSpec is what the runtime needs of a pod.
type PodSpec struct {
	UID                    string
	Namespace              string
	Name                   string
	Hostname               string // defaults to Name
	ShareProcessNamespace  bool
	RestartPolicy          string        // Always (default), OnFailure, Never
	TerminationGracePeriod time.Duration // StopPod with a negative grace uses it
	CgroupParent           string        // overrides Options.CgroupParent (virtual nodes)
	Containers             []ContainerSpec
}

// ContainerSpec is one container of a pod. Command replaces the image's
// entrypoint and Args its cmd, as in Kubernetes.
type ContainerSpec struct {
	Name       string
	Image      string
	Command    []string
	Args       []string
	Env        []string // NAME=value, after the image's
	WorkingDir string
	Limits     Limits
	// SeccompProfile is securityContext.seccompProfile.type: "" or
	// "RuntimeDefault" (Docker's default profile, as Docker applies it to
	// every container), "Unconfined" (no filter), or "Localhost" with the
	// profile compiled into SeccompFilter (containers/seccomp.Compile).
	SeccompProfile string
	SeccompFilter  []SockFilter
}

// SockFilter is one instruction of a classic BPF program.
type SockFilter = unix.SockFilter

// Limits are resources.limits; zero is unlimited.
type Limits = cgroup.Limits

// PodState is a pod as its shim last recorded it.
type PodState struct {
	UID        string
	IP         string
	ShimAlive  bool // false: the shim died; states are as it left them
	Stopping   bool
	Containers []ContainerStatus
}

// ContainerStatus and the state types mirror Kubernetes' container status.
type (
	ContainerStatus = shim.Status
	ContainerState  = shim.ContainerState
	StateWaiting    = shim.Waiting
	StateRunning    = shim.Running
	StateTerminated = shim.Terminated
)

// LogOptions selects log lines like kubectl logs.
type LogOptions struct {
	Tail       int       // last N lines; 0 means all
	Since      time.Time // lines at or after
	Timestamps bool
	Previous   bool // the previous instance's log
	Follow     bool // until the container stops or ctx ends
}
