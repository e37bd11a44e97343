package sched

import (
	"maps"

	"github.com/minspace/min/engine/api"
)

// Taint keys and effects the scheduler knows by name.
const (
	taintNotReady      = "node.kubernetes.io/not-ready"
	taintUnreachable   = "node.kubernetes.io/unreachable"
	taintUnschedulable = "node.kubernetes.io/unschedulable"

	effectNoSchedule = "NoSchedule"
	effectNoExecute  = "NoExecute"
)

// amounts are the resources the scheduler counts, in the units it compares:
// cpu in millicores, memory in bytes.
type amounts struct {
	cpu, mem int64
}

// nodeInfo is the scheduler's view of one node: what it offers, what bound
// pods take from it. A nodeInfo whose node is unknown (pods arrived before
// their node, or the node was removed while pods remained) is a placeholder:
// it keeps the accounting but is never a candidate.
type nodeInfo struct {
	name  string
	known bool // the node object has been added
	pos   int  // index in Scheduler.list while known

	labels        map[string]string
	unschedulable bool
	taints        []api.Taint // NoSchedule and NoExecute only

	allocatable amounts
	maxPods     int64
	extraAlloc  map[string]int64 // other allocatable resources, by Value()

	requested amounts          // sum of bound pods' requests
	nonZero   amounts          // the same with kube-scheduler's defaults for missing requests
	extraReq  map[string]int64 // other requested resources
	pods      int64
}

// setNode copies what the filters and the score need out of n.
func (ni *nodeInfo) setNode(n *api.Node) {
	ni.known = true
	ni.labels = maps.Clone(n.Labels)
	ni.unschedulable = n.Spec.Unschedulable
	ni.taints = scheduleTaints(n)
	ni.allocatable, ni.maxPods, ni.extraAlloc = allocatable(n.Status.Allocatable)
}

// scheduleTaints returns the taints that repel pods at scheduling time,
// plus the one the node lifecycle controller would add for a node that is
// not Ready.
func scheduleTaints(n *api.Node) []api.Taint {
	var out []api.Taint
	for _, t := range n.Spec.Taints {
		if t.Effect == effectNoSchedule || t.Effect == effectNoExecute {
			out = append(out, api.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
		}
	}
	if key := readinessTaint(n); key != "" && !hasTaint(out, key, effectNoSchedule) {
		out = append(out, api.Taint{Key: key, Effect: effectNoSchedule})
	}
	return out
}

// readinessTaint maps the Ready condition to the NoSchedule taint Kubernetes
// puts on the node (nodeConditionToTaintKeyStatusMap): False -> not-ready,
// Unknown -> unreachable, True or absent -> none.
func readinessTaint(n *api.Node) string {
	for _, c := range n.Status.Conditions {
		if c.Type != "Ready" {
			continue
		}
		switch c.Status {
		case "False":
			return taintNotReady
		case "Unknown":
			return taintUnreachable
		}
		return ""
	}
	return ""
}

func hasTaint(ts []api.Taint, key, effect string) bool {
	for _, t := range ts {
		if t.Key == key && t.Effect == effect {
			return true
		}
	}
	return false
}

// allocatable converts status.allocatable: cpu by MilliValue, the rest by
// Value, as NodeResourcesFit does. A missing resource is zero.
func allocatable(l api.ResourceList) (amounts, int64, map[string]int64) {
	var a amounts
	var pods int64
	var extra map[string]int64
	for name, q := range l {
		switch name {
		case "cpu":
			a.cpu = q.MilliValue()
		case "memory":
			a.mem = q.Value()
		case "pods":
			pods = q.Value()
		default:
			if extra == nil {
				extra = make(map[string]int64)
			}
			extra[name] = q.Value()
		}
	}
	return a, pods, extra
}

// add counts a pod's request on the node; sign -1 removes it.
func (ni *nodeInfo) add(r *request, sign int64) {
	ni.requested.cpu += sign * r.cpu
	ni.requested.mem += sign * r.mem
	ni.nonZero.cpu += sign * r.nonZero.cpu
	ni.nonZero.mem += sign * r.nonZero.mem
	ni.pods += sign
	for _, e := range r.extra {
		if ni.extraReq == nil {
			ni.extraReq = make(map[string]int64)
		}
		ni.extraReq[e.name] += sign * e.value
		if ni.extraReq[e.name] == 0 {
			delete(ni.extraReq, e.name)
		}
	}
}

// empty reports whether no pod is counted on the node any more.
func (ni *nodeInfo) empty() bool { return ni.pods == 0 }
