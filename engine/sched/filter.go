package sched

import (
	"sort"

	"github.com/minspace/min/engine/api"
)

// Per-node reasons, exactly as kube-scheduler's plugins word them (v1.36).
const (
	ReasonUnschedulable = "node(s) were unschedulable"
	ReasonTaint         = "node(s) had untolerated taint(s)"
	ReasonAffinity      = "node(s) didn't match Pod's node affinity/selector"
	ReasonTooManyPods   = "Too many pods"
	reasonInsufficient  = "Insufficient "
)

// failure is a bit set of the reasons a node was filtered out; zero means
// the pod fits. A bit set keeps the hot path free of allocation: reason
// strings are built only when nothing fits.
type failure uint8

const (
	failUnschedulable failure = 1 << iota
	failTaint
	failAffinity
	failPods
	failCPU
	failMemory
	failExtra
)

// candidate is a pod compiled once per scheduling attempt, so that the
// per-node work is plain comparisons.
type candidate struct {
	req                    request
	tolerations            []api.Toleration
	toleratesUnschedulable bool
	// match says, by position in Scheduler.list, which nodes satisfy the
	// pod's nodeSelector and node affinity; nil when the pod has neither.
	match []bool
}

// newCandidate prepares pod's resources and tolerations; the scheduler adds
// the label constraints (see Scheduler.labelMatch).
func newCandidate(pod *api.Pod) *candidate {
	c := &candidate{req: podRequest(&pod.Spec), tolerations: pod.Spec.Tolerations}
	c.toleratesUnschedulable = tolerates(c.tolerations, &api.Taint{Key: taintUnschedulable, Effect: effectNoSchedule})
	return c
}

// filter runs the filters in kube-scheduler's order and stops at the first
// that rejects the node; only the resource filter reports several reasons.
func (c *candidate) filter(ni *nodeInfo) failure {
	if ni.unschedulable && !c.toleratesUnschedulable {
		return failUnschedulable
	}
	for i := range ni.taints {
		if !tolerates(c.tolerations, &ni.taints[i]) {
			return failTaint
		}
	}
	if c.match != nil && !c.match[ni.pos] {
		return failAffinity
	}
	return c.fit(ni)
}

// fit is NodeResourcesFit's fitsRequest: the pod count always, the other
// resources only when the pod requests them.
func (c *candidate) fit(ni *nodeInfo) failure {
	var f failure
	if ni.pods+1 > ni.maxPods {
		f |= failPods
	}
	r := &c.req
	if r.cpu > 0 && r.cpu > ni.allocatable.cpu-ni.requested.cpu {
		f |= failCPU
	}
	if r.mem > 0 && r.mem > ni.allocatable.mem-ni.requested.mem {
		f |= failMemory
	}
	for _, e := range r.extra {
		if e.value > 0 && e.value > ni.extraAlloc[e.name]-ni.extraReq[e.name] {
			f |= failExtra
		}
	}
	return f
}

// reasons spells out a failure for the FitError.
func (c *candidate) reasons(f failure, ni *nodeInfo) []string {
	var out []string
	for _, b := range []struct {
		bit    failure
		reason string
	}{
		{failUnschedulable, ReasonUnschedulable},
		{failTaint, ReasonTaint},
		{failAffinity, ReasonAffinity},
		{failPods, ReasonTooManyPods},
		{failCPU, reasonInsufficient + "cpu"},
		{failMemory, reasonInsufficient + "memory"},
	} {
		if f&b.bit != 0 {
			out = append(out, b.reason)
		}
	}
	if f&failExtra != 0 {
		for _, e := range c.req.extra {
			if e.value > 0 && e.value > ni.extraAlloc[e.name]-ni.extraReq[e.name] {
				out = append(out, reasonInsufficient+e.name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// tolerates reports whether any toleration tolerates taint
// (v1.Toleration.ToleratesTaint).
func tolerates(ts []api.Toleration, taint *api.Taint) bool {
	for i := range ts {
		if toleratesTaint(&ts[i], taint) {
			return true
		}
	}
	return false
}

// toleratesTaint: an empty effect matches every effect, an empty key (with
// Exists) every key; Equal (or no operator) compares values, Exists does not.
func toleratesTaint(t *api.Toleration, taint *api.Taint) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key != "" && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case "", "Equal":
		return t.Value == taint.Value
	case "Exists":
		return true
	}
	return false
}
