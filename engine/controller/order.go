package controller

import (
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/minspace/min/engine/api"
)

// DeletionCostAnnotation is Kubernetes' pod-deletion-cost: of two pods
// otherwise alike, the one that costs less is deleted first.
const DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

// SortForDeletion orders pods the way Kubernetes' ActivePodsWithRanks
// does for a ReplicaSet or ReplicationController, the ones to delete first:
//
//  1. unscheduled before scheduled;
//  2. Pending before Unknown before Running;
//  3. not ready before ready;
//  4. lower pod-deletion-cost first (the annotation; missing or not an
//     int32 counts as 0);
//  5. doubled up first: a pod on a node that runs more of these pods;
//  6. of two ready pods, the one ready for less time (a zero time counts
//     as the shortest);
//  7. more container restarts first;
//  8. newer first (a zero creation time counts as the newest).
//
// Times compare as with LogarithmicScaleDown, which is GA since
// Kubernetes 1.31: by the power of two of their age at now, so that pods
// of about the same age are chosen among by UID (in effect at random)
// rather than always the very newest. A zero now compares them exactly.
// The sort is stable, so equal pods keep the caller's order.
func SortForDeletion(pods []*api.Pod, now time.Time) {
	onNode := map[string]int{}
	for _, p := range pods {
		onNode[p.Spec.NodeName]++
	}
	ranked := make([]rankedPod, len(pods))
	for i, p := range pods {
		ranked[i] = rankedPod{pod: p, rank: onNode[p.Spec.NodeName], cost: deletionCost(p)}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return deleteBefore(ranked[i], ranked[j], now) })
	for i := range ranked {
		pods[i] = ranked[i].pod
	}
}

// rankedPod is a pod with what its sort needs beyond the pod itself.
type rankedPod struct {
	pod  *api.Pod
	rank int // how many of the pods share its node
	cost int32
}

var phaseRank = map[string]int{phasePending: 0, phaseUnknown: 1, phaseRunning: 2}

func deleteBefore(x, y rankedPod, now time.Time) bool {
	a, b := x.pod, y.pod
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	if ra, rb := phaseRank[a.Status.Phase], phaseRank[b.Status.Phase]; ra != rb {
		return ra < rb
	}
	readyA, readyB := IsPodReady(a), IsPodReady(b)
	if readyA != readyB {
		return !readyA
	}
	if x.cost != y.cost {
		return x.cost < y.cost
	}
	if x.rank != y.rank {
		return x.rank > y.rank
	}
	if readyA {
		if ta, tb := readySince(a), readySince(b); !ta.Equal(tb) {
			return newerFirst(a, b, ta, tb, now)
		}
	}
	if ca, cb := maxRestarts(a), maxRestarts(b); ca != cb {
		return ca > cb
	}
	if ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time; !ta.Equal(tb) {
		return newerFirst(a, b, ta, tb, now)
	}
	return false
}

// newerFirst orders two different times of pods a and b as
// ActivePodsWithRanks does: the newer first by logarithmic rank, the UID
// between pods of one rank; exactly when now or a time is zero.
func newerFirst(a, b *api.Pod, ta, tb, now time.Time) bool {
	if now.IsZero() || ta.IsZero() || tb.IsZero() {
		return afterOrZero(ta, tb)
	}
	if d := logarithmicRank(ta, now) - logarithmicRank(tb, now); d != 0 {
		return d < 0
	}
	return a.UID < b.UID
}

// logarithmicRank is the power of two of t's age at now in nanoseconds,
// -1 for a time not before now (Kubernetes' logarithmicRankDiff).
func logarithmicRank(t, now time.Time) int64 {
	if d := now.Sub(t); d > 0 {
		return int64(math.Log2(float64(d)))
	}
	return -1
}

// deletionCost reads the pod-deletion-cost annotation; Kubernetes' API
// validation refuses other values, Min's takes them as 0.
func deletionCost(p *api.Pod) int32 {
	v, ok := p.Annotations[DeletionCostAnnotation]
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// afterOrZero: t1 after t2, a zero time counting as after any other.
func afterOrZero(t1, t2 time.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2)
}

// readySince returns when the pod's Ready condition last became True.
func readySince(p *api.Pod) time.Time {
	if c := podCondition(&p.Status, "Ready"); c != nil && c.Status == condTrue {
		return c.LastTransitionTime.Time
	}
	return time.Time{}
}

func maxRestarts(p *api.Pod) int32 {
	var n int32
	for _, c := range p.Status.ContainerStatuses {
		n = max(n, c.RestartCount)
	}
	return n
}
