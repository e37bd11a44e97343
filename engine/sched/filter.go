package sched

import (
	"fmt"
	"sort"

	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
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
	selector               []labelPair
	affinity               []labels.Selector // ORed; nil when the pod has no required affinity
	hasAffinity            bool
	tolerations            []api.Toleration
	toleratesUnschedulable bool
}

type labelPair struct{ key, value string }

// compile prepares pod for filtering. It fails only on a node affinity that
// Kubernetes' validation would have refused.
func compile(pod *api.Pod) (*candidate, error) {
	c := &candidate{req: podRequest(&pod.Spec), tolerations: pod.Spec.Tolerations}
	for k, v := range pod.Spec.NodeSelector {
		c.selector = append(c.selector, labelPair{k, v})
	}
	c.toleratesUnschedulable = tolerates(c.tolerations, &api.Taint{Key: taintUnschedulable, Effect: effectNoSchedule})
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		terms, err := compileTerms(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms)
		if err != nil {
			return nil, err
		}
		c.affinity, c.hasAffinity = terms, true
	}
	return c, nil
}

// compileTerms turns node selector terms into label selectors. As upstream,
// a term without expressions matches no node, so it is left out.
func compileTerms(terms []api.NodeSelectorTerm) ([]labels.Selector, error) {
	var out []labels.Selector
	for i, t := range terms {
		if len(t.MatchExpressions) == 0 {
			continue
		}
		sel := labels.NewSelector()
		for j, e := range t.MatchExpressions {
			op, ok := operators[e.Operator]
			if !ok {
				return nil, fmt.Errorf("nodeSelectorTerms[%d].matchExpressions[%d]: %w: operator %q is not In, NotIn, Exists, DoesNotExist, Gt or Lt", i, j, api.ErrInvalid, e.Operator)
			}
			r, err := labels.NewRequirement(e.Key, op, e.Values)
			if err != nil {
				return nil, fmt.Errorf("nodeSelectorTerms[%d].matchExpressions[%d]: %w: %v", i, j, api.ErrInvalid, err)
			}
			sel = sel.Add(*r)
		}
		out = append(out, sel)
	}
	return out, nil
}

var operators = map[string]selection.Operator{
	"In":           selection.In,
	"NotIn":        selection.NotIn,
	"Exists":       selection.Exists,
	"DoesNotExist": selection.DoesNotExist,
	"Gt":           selection.GreaterThan,
	"Lt":           selection.LessThan,
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
	if !c.matches(ni.labels) {
		return failAffinity
	}
	return c.fit(ni)
}

// matches: every nodeSelector pair, and one of the required affinity terms.
func (c *candidate) matches(nodeLabels map[string]string) bool {
	for _, p := range c.selector {
		if v, ok := nodeLabels[p.key]; !ok || v != p.value {
			return false
		}
	}
	if !c.hasAffinity {
		return true
	}
	set := labels.Set(nodeLabels)
	for _, s := range c.affinity {
		if s.Matches(set) {
			return true
		}
	}
	return false
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
