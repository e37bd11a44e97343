package controller

import (
	"time"

	"github.com/minspace/min/engine/api"
)

// Plan is what a ReplicationController must do now. The engine applies it:
// creates Create pods from NewPodFromTemplate, deletes Delete, adopts Adopt
// (SetControllerRef) and releases Release (RemoveControllerRef), each with a
// compare-and-set, then writes Status.
type Plan struct {
	// Create is how many pods are missing.
	Create int
	// Delete are the surplus pods, in the order Kubernetes deletes them.
	Delete []*api.Pod
	// Adopt are matching pods that have no controller.
	Adopt []*api.Pod
	// Release are pods the RC controls that no longer match its selector.
	Release []*api.Pod
	// Status is the RC's new status, counted over the pods it controls
	// (adoptions included) before this plan's creations and deletions.
	Status api.ReplicationControllerStatus
	// RequeueAfter, when positive, is when a ready pod becomes available
	// (minReadySeconds) and the status changes without any event.
	RequeueAfter time.Duration
}

// ReconcileRC decides rc's next step from pods, the pods of rc's namespace
// (pods of other namespaces are ignored). It is ReconcileRCAt at time.Now.
func ReconcileRC(rc *api.ReplicationController, pods []*api.Pod) Plan {
	return ReconcileRCAt(rc, pods, time.Now())
}

// ReconcileRCAt is the replication manager's sync, without I/O, at time now:
//
//   - only active pods are considered (not Succeeded or Failed, no
//     deletionTimestamp);
//   - a pod controlled by another owner is never touched;
//   - a pod rc controls that matches the selector is rc's; one that no
//     longer matches is released;
//   - a matching pod without a controller is adopted;
//   - the difference to spec.replicas (default 1) is created or deleted,
//     the surplus chosen by SortForDeletion.
//
// An RC being deleted (deletionTimestamp set) adopts, releases, creates and
// deletes nothing; its status is still counted. An empty selector selects
// nothing.
func ReconcileRCAt(rc *api.ReplicationController, pods []*api.Pod, now time.Time) Plan {
	var plan Plan
	deleting := rc.DeletionTimestamp != nil
	var owned []*api.Pod
	for _, p := range pods {
		if p.Namespace != rc.Namespace || !isActive(p) {
			continue
		}
		switch claim(rc, p) {
		case claimOwned:
			owned = append(owned, p)
		case claimAdopt:
			if !deleting {
				plan.Adopt = append(plan.Adopt, p)
				owned = append(owned, p)
			}
		case claimRelease:
			if !deleting {
				plan.Release = append(plan.Release, p)
			}
		}
	}
	plan.Status, plan.RequeueAfter = rcStatus(rc, owned, now)
	if !deleting {
		plan.Create, plan.Delete = scale(owned, replicas(rc), now)
	}
	return plan
}

type claimResult int

const (
	claimIgnore claimResult = iota
	claimOwned
	claimAdopt
	claimRelease
)

// claim is ClaimObject's decision for one active pod.
func claim(rc *api.ReplicationController, p *api.Pod) claimResult {
	matches := selects(rc.Spec.Selector, p.Labels)
	ref := controllerOf(p)
	switch {
	case ref != nil && ref.UID != rc.UID:
		return claimIgnore
	case ref != nil && matches:
		return claimOwned
	case ref != nil:
		return claimRelease
	case matches:
		return claimAdopt
	}
	return claimIgnore
}

// selects: every selector pair is among the labels; an empty selector
// selects nothing (validation never lets one through).
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	return subset(selector, labels)
}

func subset(sub, labels map[string]string) bool {
	for k, v := range sub {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

func isActive(p *api.Pod) bool {
	return !IsTerminal(p.Status.Phase) && p.DeletionTimestamp == nil
}

func replicas(rc *api.ReplicationController) int {
	if rc.Spec.Replicas == nil {
		return 1
	}
	return int(*rc.Spec.Replicas)
}

// scale returns how many pods to create, or which surplus pods to delete.
func scale(owned []*api.Pod, want int, now time.Time) (int, []*api.Pod) {
	diff := len(owned) - want
	if diff < 0 {
		return -diff, nil
	}
	if diff == 0 {
		return 0, nil
	}
	sorted := append([]*api.Pod(nil), owned...)
	SortForDeletion(sorted, now)
	return 0, sorted[:diff]
}
