package sched

import (
	"fmt"
	"maps"
	"sync"

	"github.com/minspace/min/engine/api"
)

// Options configure a Scheduler; the zero value is kube-scheduler's default.
type Options struct {
	// PercentageOfNodesToScore bounds how many feasible nodes one search
	// collects before it picks the best of them: 0 is kube-scheduler's
	// adaptive value (50% - nodes/125, at least 5% and 100 nodes), 100
	// scores every feasible node.
	PercentageOfNodesToScore int
}

// Scheduler caches nodes and the pods bound to them and picks nodes for
// pods. Create it with New.
type Scheduler struct {
	mu    sync.Mutex
	opts  Options
	nodes map[string]*nodeInfo  // by name, placeholders included
	list  []*nodeInfo           // the known nodes, in search order
	pods  map[podName]*podEntry // counted pods
	next  int                   // where the next search starts in list

	// labelGen changes whenever node labels or positions in list change;
	// matches holds label-constraint results computed at some labelGen.
	labelGen   uint64
	matches    map[string]*labelMatch
	keyBuf     []byte   // scratch for labelMatch's cache key
	keyScratch []string // scratch for sorting nodeSelector keys
}

// podEntry is what the scheduler remembers of a counted pod: not the pod,
// only its node and request.
type podEntry struct {
	uid     string
	node    string
	req     request
	assumed bool // reserved by Assume, not yet seen bound
}

// New returns an empty Scheduler.
func New(opts Options) *Scheduler {
	return &Scheduler{
		opts:  opts,
		nodes: make(map[string]*nodeInfo),
		pods:  make(map[podName]*podEntry),

		matches: make(map[string]*labelMatch),
	}
}

// AddNode adds n, or updates it when it is already known.
func (s *Scheduler) AddNode(n *api.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ni := s.nodeInfo(n.Name)
	if !ni.known {
		ni.pos = len(s.list)
		s.list = append(s.list, ni)
		s.labelGen++
	} else if !maps.Equal(ni.labels, n.Labels) {
		s.labelGen++
	}
	ni.setNode(n)
}

// UpdateNode records n's new labels, taints, readiness and allocatable.
func (s *Scheduler) UpdateNode(n *api.Node) { s.AddNode(n) }

// RemoveNode forgets the node. Pods still counted on it keep their
// accounting until they are removed, as kube-scheduler's cache does.
func (s *Scheduler) RemoveNode(n *api.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ni, ok := s.nodes[n.Name]
	if !ok || !ni.known {
		return
	}
	last := len(s.list) - 1
	s.list[ni.pos] = s.list[last]
	s.list[ni.pos].pos = ni.pos
	s.list[last] = nil
	s.list = s.list[:last]
	ni.known, ni.labels, ni.taints = false, nil, nil
	s.labelGen++
	s.dropIfEmpty(ni)
}

// nodeInfo returns the entry for name, creating a placeholder if needed.
func (s *Scheduler) nodeInfo(name string) *nodeInfo {
	ni, ok := s.nodes[name]
	if !ok {
		ni = &nodeInfo{name: name}
		s.nodes[name] = ni
	}
	return ni
}

func (s *Scheduler) dropIfEmpty(ni *nodeInfo) {
	if !ni.known && ni.empty() {
		delete(s.nodes, ni.name)
	}
}

// NumNodes returns how many nodes the scheduler can place pods on.
func (s *Scheduler) NumNodes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.list)
}

// Schedule picks a node for pod without reserving it. The error is a
// *FitError (errors.Is ErrUnschedulable) when no node fits, ErrBound when
// the pod already has a node, and wraps api.ErrInvalid when its node
// affinity cannot be evaluated.
func (s *Scheduler) Schedule(pod *api.Pod) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ni, _, err := s.schedule(pod)
	if err != nil {
		return "", err
	}
	return ni.name, nil
}

// ScheduleAndAssume picks a node for pod and reserves the pod's resources
// there at once, under one lock, so that concurrent or back-to-back calls
// never double-book a node. Call Forget if the binding then fails.
func (s *Scheduler) ScheduleAndAssume(pod *api.Pod) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pods[nameOf(pod)]; ok {
		return "", fmt.Errorf("pod %s: %w (assumed already)", podKey(pod), ErrBound)
	}
	ni, c, err := s.schedule(pod)
	if err != nil {
		return "", err
	}
	s.count(nameOf(pod), &podEntry{uid: pod.UID, node: ni.name, req: c.req, assumed: true})
	return ni.name, nil
}

// Assume reserves pod's resources on node before the binding is written,
// so that the next Schedule sees them. It fails if the node is unknown or
// the pod is already counted.
func (s *Scheduler) Assume(pod *api.Pod, node string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nameOf(pod)
	if _, ok := s.pods[key]; ok {
		return fmt.Errorf("assume pod %s: %w (counted already)", podKey(pod), ErrBound)
	}
	if ni, ok := s.nodes[node]; !ok || !ni.known {
		return fmt.Errorf("assume pod %s on %q: %w", podKey(pod), node, ErrUnknownNode)
	}
	s.count(key, &podEntry{uid: pod.UID, node: node, req: podRequest(&pod.Spec), assumed: true})
	return nil
}

// Forget releases an assumed pod whose binding failed. A pod already seen
// bound (through AddPod or UpdatePod) is kept.
func (s *Scheduler) Forget(pod *api.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nameOf(pod)
	if e, ok := s.pods[key]; ok && e.assumed {
		s.uncount(key, e)
	}
}

// AddPod counts pod on its node when it is bound (spec.nodeName) and not
// terminal; Pending pods count, Succeeded and Failed ones do not. A pod
// assumed on that node is confirmed.
func (s *Scheduler) AddPod(pod *api.Pod) { s.UpdatePod(pod) }

// UpdatePod brings the accounting of pod up to date: it confirms an assumed
// pod, moves a pod whose node changed, and frees the resources of a pod
// that became terminal.
func (s *Scheduler) UpdatePod(pod *api.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nameOf(pod)
	old, had := s.pods[key]
	counts := pod.Spec.NodeName != "" && !terminal(pod.Status.Phase)
	if had && (old.assumed && pod.Spec.NodeName == "" && !terminal(pod.Status.Phase)) {
		return // an assumed pod whose binding is not visible yet
	}
	var req request
	if counts {
		req = podRequest(&pod.Spec)
	}
	if had && counts && old.uid == pod.UID && old.node == pod.Spec.NodeName && old.req.equal(&req) {
		old.assumed = false // confirmed, or a status change: the same accounting
		return
	}
	if had {
		s.uncount(key, old)
	}
	if counts {
		s.count(key, &podEntry{uid: pod.UID, node: pod.Spec.NodeName, req: req})
	}
}

// RemovePod frees the resources of a deleted pod, assumed or bound.
func (s *Scheduler) RemovePod(pod *api.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nameOf(pod)
	if e, ok := s.pods[key]; ok {
		s.uncount(key, e)
	}
}

func (s *Scheduler) count(key podName, e *podEntry) {
	s.pods[key] = e
	s.nodeInfo(e.node).add(&e.req, 1)
}

func (s *Scheduler) uncount(key podName, e *podEntry) {
	delete(s.pods, key)
	ni := s.nodes[e.node]
	ni.add(&e.req, -1)
	s.dropIfEmpty(ni)
}

func podKey(p *api.Pod) string { return p.Namespace + "/" + p.Name }

// podName keys the counted pods: the pod's own strings, where a
// "namespace/name" string cost an allocation at every pod event.
type podName struct{ namespace, name string }

func nameOf(p *api.Pod) podName { return podName{p.Namespace, p.Name} }

func terminal(phase string) bool { return phase == "Succeeded" || phase == "Failed" }

// Usage is what the pods counted on a node (bound and assumed) request, as
// `kubectl describe node` shows under "Allocated resources".
type Usage struct {
	CPUMilli    int64 // cpu requests, millicores
	MemoryBytes int64 // memory requests, bytes
	Pods        int64
}

// Usage returns the requests counted on node; false if nothing is known of
// it.
func (s *Scheduler) Usage(node string) (Usage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ni, ok := s.nodes[node]
	if !ok {
		return Usage{}, false
	}
	return Usage{CPUMilli: ni.requested.cpu, MemoryBytes: ni.requested.mem, Pods: ni.pods}, true
}
