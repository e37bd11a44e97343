package controller

import (
	"time"

	"github.com/minspace/min/engine/api"
)

// rcStatus is calculateStatus: replicas counts the owned pods,
// fullyLabeledReplicas those carrying all the template's labels,
// readyReplicas the ready ones and availableReplicas those ready for
// minReadySeconds. It also returns when the next pod becomes available, if
// one is waiting for it.
func rcStatus(rc *api.ReplicationController, owned []*api.Pod, now time.Time) (api.ReplicationControllerStatus, time.Duration) {
	st := api.ReplicationControllerStatus{
		Replicas:           int32(len(owned)),
		ObservedGeneration: rc.Generation,
	}
	var templateLabels map[string]string
	if rc.Spec.Template != nil {
		templateLabels = rc.Spec.Template.Labels
	}
	minReady := time.Duration(rc.Spec.MinReadySeconds) * time.Second
	var requeue time.Duration
	for _, p := range owned {
		if subset(templateLabels, p.Labels) {
			st.FullyLabeledReplicas++
		}
		if !IsPodReady(p) {
			continue
		}
		st.ReadyReplicas++
		if wait := untilAvailable(p, minReady, now); wait <= 0 {
			st.AvailableReplicas++
		} else if requeue == 0 || wait < requeue {
			requeue = wait
		}
	}
	return st, requeue
}

// untilAvailable returns how long a ready pod still has to stay ready to be
// available (IsPodAvailable: ready since strictly more than minReady ago),
// zero or less when it is.
func untilAvailable(p *api.Pod, minReady time.Duration, now time.Time) time.Duration {
	if minReady == 0 {
		return 0
	}
	since := readySince(p)
	if since.IsZero() {
		return minReady
	}
	at := since.Add(minReady)
	if at.Before(now) {
		return 0
	}
	// Available strictly after at; Time has second precision.
	return at.Sub(now) + time.Second
}
