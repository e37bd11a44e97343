package sched

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrUnschedulable: no node fits the pod (every *FitError matches it).
	ErrUnschedulable = errors.New("unschedulable")
	// ErrBound: the pod already has spec.nodeName; the scheduler leaves it alone.
	ErrBound = errors.New("pod is already bound")
	// ErrUnknownNode: Assume named a node the scheduler does not know.
	ErrUnknownNode = errors.New("unknown node")
)

// Preemption reasons. Min has no pod priorities, so a node rejected only for
// resources has no lower-priority victims to evict.
const (
	ReasonNoVictims      = "No preemption victims found for incoming pod"
	ReasonPreemptNoHelp  = "Preemption is not helpful for scheduling"
	noNodesAvailable     = "no nodes available to schedule pods"
	nodesAvailableFormat = "0/%d nodes are available: "
)

// FitError says why a pod fits on no node. Its Error() is kube-scheduler's
// message, e.g.
//
//	0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.
//
// and, with no nodes at all, "no nodes available to schedule pods".
type FitError struct {
	// NumAllNodes is the number of nodes the pod was tried against.
	NumAllNodes int
	// NodeReasons maps each node to the sorted reasons it was rejected for.
	// Nodes rejected alike share one slice: treat the slices as read-only.
	NodeReasons map[string][]string
}

// Error renders the message the pod's PodScheduled condition and the
// FailedScheduling event carry.
func (e *FitError) Error() string {
	if e.NumAllNodes == 0 {
		return noNodesAvailable
	}
	filter := map[string]int{}
	preempt := map[string]int{}
	for _, reasons := range e.NodeReasons {
		for _, r := range reasons {
			filter[r]++
		}
		if preemptionMightHelp(reasons) {
			preempt[ReasonNoVictims]++
		} else {
			preempt[ReasonPreemptNoHelp]++
		}
	}
	return histogram(e.NumAllNodes, filter) + " preemption: " + histogram(e.NumAllNodes, preempt)
}

// Is makes errors.Is(err, ErrUnschedulable) true.
func (e *FitError) Is(target error) bool { return target == ErrUnschedulable }

// histogram: "0/N nodes are available: " then "<count> <reason>" sorted as
// strings (so "10 …" sorts before "2 …"), joined with ", ", then ".".
func histogram(n int, counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for r, c := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", c, r))
	}
	sort.Strings(parts)
	return fmt.Sprintf(nodesAvailableFormat, n) + strings.Join(parts, ", ") + "."
}

// preemptionMightHelp: the filters whose failure eviction can cure are the
// resource ones (status Unschedulable: Insufficient …, Too many pods);
// unschedulable nodes, taints and affinity are UnschedulableAndUnresolvable.
func preemptionMightHelp(reasons []string) bool {
	for _, r := range reasons {
		if r != ReasonTooManyPods && !strings.HasPrefix(r, reasonInsufficient) {
			return false
		}
	}
	return len(reasons) > 0
}
