package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/sched"
	"github.com/minspace/min/engine/store"
)

// Options configure Open. The zero value is the default.
type Options struct {
	// Sync is the store's fsync policy (default: fsync once a second; every
	// acknowledged write has reached the OS and survives a process crash).
	Sync store.SyncPolicy
	// Now is the clock (tests inject a fixed one). Default time.Now.
	Now func() time.Time
	// NoHostNode keeps this machine from registering as a node and running
	// pods (as it does by default when root). Tests of scheduling on
	// simulated nodes use it.
	NoHostNode bool
	// CgroupParent is where pods' cgroups go, relative to this process's
	// own cgroups ("min"); virtual nodes get "<parent>/node-<name>".
	CgroupParent string
	// Network is the pod network of the nodes this machine runs (zero:
	// bridge min0 carrying 10.244.0.0/16, IPAM state in /run/min/network).
	Network network.Options
}

// Engine is an open state directory: the store plus the controllers that
// act on it. It implements Interface in-process.
type Engine struct {
	home  string
	opts  Options
	store *store.Store

	ctx    context.Context // ends on Close; controllers run under it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	nsKick   chan struct{}   // wakes the namespace controller
	nodeMu   sync.Mutex      // serialises node creation (pod CIDR allocation)
	podCIDRs map[string]bool // pod CIDRs held by nodes, under nodeMu; nil until first needed
	events   *recorder
	sched    *sched.Scheduler // the scheduler's cache of nodes and counted pods
	images   *image.Store     // this machine's image store; nil without a host node
	nets     *network.Manager // this machine's pod network; nil without a host node

	// orphaned holds the uids of RCs deleted with propagation Orphan: a pod
	// that still names one (adopted in a race with the delete) is released,
	// not collected.
	orphaned sync.Map

	agentsMu sync.Mutex
	agents   map[string]nodeAgent // node name -> the agent running its pods
}

// nodeAgent runs the pods bound to one node (Kubernetes' kubelet).
type nodeAgent interface {
	Logs(ctx context.Context, pod *api.Pod, opts LogOptions, w io.Writer) error
	Exec(ctx context.Context, pod *api.Pod, opts ExecOptions) (int, error)
	Dial(ctx context.Context, pod *api.Pod, port int) (net.Conn, error)
}

var _ Interface = (*Engine)(nil)

// systemNamespaces exist from the first open; the first three are immortal.
var systemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

func immortal(ns string) bool {
	return ns == "default" || ns == "kube-system" || ns == "kube-public"
}

// Open opens (creating if needed) the state directory home. Only one
// Engine may hold a directory at a time, in any process.
func Open(home string, opts Options) (*Engine, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CgroupParent == "" {
		opts.CgroupParent = "min"
	}
	if opts.Network.ClusterCIDR == "" {
		opts.Network.ClusterCIDR = DefaultClusterCIDR
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("engine: state directory: %w", err)
	}
	st, err := store.Open(home, store.Options{Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{home: home, opts: opts, store: st, ctx: ctx, cancel: cancel,
		nsKick: make(chan struct{}, 1), agents: map[string]nodeAgent{}}
	e.events = newRecorder(e)
	e.sched = sched.New(sched.Options{})
	if err := e.ensureNamespaces(); err != nil {
		st.Close()
		cancel()
		return nil, err
	}
	e.startControllers()
	if !opts.NoHostNode && os.Geteuid() == 0 {
		if err := e.startHostNode(); err != nil {
			e.Close()
			return nil, fmt.Errorf("engine: host node: %w", err)
		}
	}
	return e, nil
}

// Home is the state directory the engine owns.
func (e *Engine) Home() string { return e.home }

// Close stops the controllers and closes the store. Pods keep running.
func (e *Engine) Close() error {
	e.cancel()
	e.wg.Wait()
	e.events.stop() // after the controllers, which queue events
	return e.store.Close()
}

func (e *Engine) now() api.Time { return api.NewTime(e.opts.Now()) }

func (e *Engine) ensureNamespaces() error {
	for _, name := range systemNamespaces {
		ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: name}}
		_, err := e.Create(context.Background(), ns, CreateOptions{})
		if err != nil && !isAlreadyExists(err) {
			return fmt.Errorf("engine: creating namespace %s: %w", name, err)
		}
	}
	return nil
}

// run starts a controller goroutine that ends with the engine.
func (e *Engine) run(f func(ctx context.Context)) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f(e.ctx)
	}()
}

// Images is the image store of this machine's node (nil when the engine
// runs no host node).
func (e *Engine) Images() *image.Store { return e.images }

// every runs fn each period until ctx ends (first after one period).
func (e *Engine) every(ctx context.Context, period time.Duration, fn func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}
