package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/minspace/min/containers"
	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine/api"
)

// kubelet runs the pods bound to one node of this machine (the host node,
// or a virtual node) through Min's container runtime, and writes their
// status back, as Kubernetes' kubelet does. The runtime's shims are the
// truth about what runs, so a new kubelet adopts the pods an earlier
// engine started.
type kubelet struct {
	e      *Engine
	node   string
	hostIP string
	rt     *containers.Runtime
	images *image.Store
	netns  func(uid string) string

	mu   sync.Mutex
	pods map[string]*podRecord // by uid
}

// podRecord is what the kubelet knows of one pod it runs.
type podRecord struct {
	pod      *api.Pod
	started  bool      // RunPod done (or adopted)
	starting bool      // RunPod in flight
	stopping bool      // StopPod/RemovePod in flight
	pullFail int       // consecutive image failures
	retryAt  time.Time // next start attempt after an image failure
	imageIDs map[string]string
	written  api.PodStatus // last status written, to skip no-op writes
	backoffs map[string]int32
}

// statusPoll is how often running pods' states are read from their shims.
const statusPoll = 100 * time.Millisecond

// newKubeletWith makes the kubelet of one node of this machine: its
// runtime keeps state in stateDir and puts pods below cgroupParent ("" is
// the runtime's default), on the node's pod CIDR of the shared bridge.
func (e *Engine) newKubeletWith(node, cidr, hostIP, stateDir, cgroupParent string) (*kubelet, error) {
	nodeNet, err := e.nets.Node(cidr)
	if err != nil {
		return nil, err
	}
	// A spare shim: a pod start hands the pod to a shim whose process
	// start is paid ahead, off the pod's way to Running.
	rt, err := containers.New(containers.Options{StateDir: stateDir, Images: imageSource{e.images},
		Network: nodeNet, CgroupParent: cgroupParent, ShimBinary: shimBinary(), SpareShim: true})
	if err != nil {
		return nil, err
	}
	k := &kubelet{e: e, node: node, hostIP: hostIP, rt: rt, images: e.images, pods: map[string]*podRecord{}}
	return k, nil
}

// imageSource adapts the image store to the runtime's interface.
type imageSource struct{ s *image.Store }

func (i imageSource) Resolve(ref string) ([]string, containers.ImageConfig, error) {
	layers, c, err := i.s.Resolve(ref)
	return layers, containers.ImageConfig{Entrypoint: c.Entrypoint, Cmd: c.Cmd, Env: c.Env,
		WorkingDir: c.WorkingDir, User: c.User}, err
}

func (k *kubelet) loop(ctx context.Context) {
	defer k.rt.Close() // the spare shim; pods keep running
	k.adopt()
	events := make(chan Event, 1024)
	k.e.run(func(ctx context.Context) {
		k.e.inform(ctx, "pods", informOptions{ListOptions: ListOptions{FieldSelector: "spec.nodeName=" + k.node}},
			func(ev Event) { sendEvent(ctx, events, ev) })
	})
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			k.podChanged(ctx, ev)
		case <-tick.C:
			k.syncAll(ctx)
		}
	}
}

// adopt takes over the pods whose shims outlived an earlier engine.
func (k *kubelet) adopt() {
	uids, err := k.rt.ListPods()
	if err != nil {
		return
	}
	for _, uid := range uids {
		k.pods[uid] = &podRecord{started: true}
	}
}

func (k *kubelet) podChanged(ctx context.Context, ev Event) {
	p := ev.Object.(*api.Pod)
	k.mu.Lock()
	defer k.mu.Unlock()
	rec := k.pods[p.UID]
	if ev.Type == Deleted {
		if rec != nil && !rec.stopping {
			rec.stopping = true
			go k.stop(p, rec, 0)
		}
		return
	}
	if rec == nil {
		rec = &podRecord{}
		k.pods[p.UID] = rec
	}
	rec.pod = p
	k.act(ctx, p, rec)
}

// act moves one pod one step: stop it if it is being deleted, start it if
// it has not started.
func (k *kubelet) act(ctx context.Context, p *api.Pod, rec *podRecord) {
	switch {
	case rec.stopping:
	case p.DeletionTimestamp != nil:
		rec.stopping = true
		grace := time.Until(p.DeletionTimestamp.Time)
		go k.stop(p, rec, max(grace, 0))
	case !rec.started && !rec.starting && time.Now().After(rec.retryAt) && !terminalPod(p):
		rec.starting = true
		go k.start(ctx, p, rec)
	}
}

func terminalPod(p *api.Pod) bool { return p.Status.Phase == "Succeeded" || p.Status.Phase == "Failed" }

// syncAll reads every running pod's state and retries due starts.
func (k *kubelet) syncAll(ctx context.Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for uid, rec := range k.pods {
		if rec.pod == nil {
			if !rec.stopping { // adopted, but its pod is gone from the store
				rec.stopping = true
				go k.stop(&api.Pod{ObjectMeta: api.ObjectMeta{UID: uid}}, rec, 0)
			}
			continue
		}
		k.act(ctx, rec.pod, rec)
		if rec.started && !rec.stopping {
			k.syncStatus(rec)
		}
	}
}

// stop ends a pod: SIGTERM, SIGKILL after grace, then everything it had is
// removed, and finally the pod object.
func (k *kubelet) stop(p *api.Pod, rec *podRecord, grace time.Duration) {
	k.mu.Lock() // start may be writing rec meanwhile
	ran := rec.started || rec.starting
	k.mu.Unlock()
	if ran {
		for _, c := range p.Spec.Containers {
			k.e.events.record(p, "Normal", "Killing", "kubelet", fmt.Sprintf("Stopping container %s", c.Name))
		}
	}
	k.rt.StopPod(p.UID, grace)
	k.rt.RemovePod(p.UID)
	if p.Name != "" {
		k.e.store.Delete("pods", p.Namespace, p.Name, p.UID)
	}
	k.mu.Lock()
	delete(k.pods, p.UID)
	k.mu.Unlock()
}

// Logs, Exec and Dial serve the pod I/O of Interface.

func (k *kubelet) Logs(ctx context.Context, p *api.Pod, opts LogOptions, w io.Writer) error {
	ctr, err := containerOf(p, opts.Container)
	if err != nil {
		return err
	}
	lo := containers.LogOptions{Timestamps: opts.Timestamps, Previous: opts.Previous, Follow: opts.Follow}
	if opts.TailLines != nil {
		lo.Tail = int(*opts.TailLines)
		if lo.Tail == 0 {
			return nil
		}
	}
	if opts.SinceSeconds != nil {
		lo.Since = time.Now().Add(-time.Duration(*opts.SinceSeconds) * time.Second)
	}
	err = k.rt.ReadLogs(ctx, p.UID, ctr, lo, w)
	if errors.Is(err, containers.ErrNotFound) {
		return logUnavailable(p, ctr, opts.Previous)
	}
	return err
}

func (k *kubelet) Exec(ctx context.Context, p *api.Pod, opts ExecOptions) (int, error) {
	ctr, err := containerOf(p, opts.Container)
	if err != nil {
		return -1, err
	}
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	eio := containers.ExecIO{Stdin: opts.Stdin, Stdout: stdout, Stderr: stderr, TTY: opts.TTY}
	if opts.TTY && opts.Resize != nil {
		eio.Resize = termSizes(ctx, opts.Resize)
	}
	return k.rt.ExecWith(ctx, p.UID, ctr, opts.Command, eio)
}

// termSizes turns the API's terminal sizes into the runtime's, until the
// sizes end or ctx does.
func termSizes(ctx context.Context, in <-chan TerminalSize) <-chan containers.TermSize {
	out := make(chan containers.TermSize)
	go func() {
		defer close(out)
		for {
			select {
			case sz, ok := <-in:
				if !ok {
					return
				}
				select {
				case out <- containers.TermSize{Rows: sz.Height, Cols: sz.Width}:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (k *kubelet) Dial(ctx context.Context, p *api.Pod, port int) (net.Conn, error) {
	ns := k.rt.NetNSPath(p.UID)
	if ns == "" {
		return nil, api.NewBadRequest(fmt.Sprintf("pod %s is not running", p.Name))
	}
	return network.DialContext(ctx, ns, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
}

// containerOf picks the named container, or the first one.
func containerOf(p *api.Pod, name string) (string, error) {
	if name == "" {
		return p.Spec.Containers[0].Name, nil
	}
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return name, nil
		}
	}
	names := ""
	for i, c := range p.Spec.Containers {
		if i > 0 {
			names += ", "
		}
		names += c.Name
	}
	return "", api.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s out of: %s", name, p.Name, names))
}

// logUnavailable is the kubelet's answer when there is no log to read.
func logUnavailable(p *api.Pod, ctr string, previous bool) error {
	if previous {
		return api.NewBadRequest(fmt.Sprintf("previous terminated container %q in pod %q not found", ctr, p.Name))
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == ctr && cs.State.Waiting != nil {
			return api.NewBadRequest(fmt.Sprintf("container %q in pod %q is waiting to start: %s", ctr, p.Name, cs.State.Waiting.Reason))
		}
	}
	return api.NewBadRequest(fmt.Sprintf("container %q in pod %q is waiting to start: ContainerCreating", ctr, p.Name))
}

// shimBinary finds min-shim beside the running program (README's set-up
// builds it there). A pod's shim maps the pages of the binary it runs, so
// the small static min-shim keeps each shim at about 4 MB where a re-exec
// of minish takes about 13 MB. Without it, the runtime re-executes this
// program.
func shimBinary() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	p := filepath.Join(filepath.Dir(exe), "min-shim")
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return p
	}
	return ""
}
