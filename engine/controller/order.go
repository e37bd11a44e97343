package controller

import (
	"sort"
	"time"

	"github.com/minspace/min/engine/api"
)

// SortForDeletion orders pods the way Kubernetes' controller.ActivePods
// does, the ones to delete first:
//
//  1. unscheduled before scheduled;
//  2. Pending before Unknown before Running;
//  3. not ready before ready;
//  4. of two ready pods, the one ready for less time (a zero time counts
//     as the shortest);
//  5. more container restarts first;
//  6. newer first (a zero creation time counts as the newest).
//
// The sort is stable, so equal pods keep the caller's order.
func SortForDeletion(pods []*api.Pod) {
	sort.SliceStable(pods, func(i, j int) bool { return deleteBefore(pods[i], pods[j]) })
}

var phaseRank = map[string]int{phasePending: 0, phaseUnknown: 1, phaseRunning: 2}

func deleteBefore(a, b *api.Pod) bool {
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
	if readyA {
		if ta, tb := readySince(a), readySince(b); !ta.Equal(tb) {
			return afterOrZero(ta, tb)
		}
	}
	if ca, cb := maxRestarts(a), maxRestarts(b); ca != cb {
		return ca > cb
	}
	if ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time; !ta.Equal(tb) {
		return afterOrZero(ta, tb)
	}
	return false
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
