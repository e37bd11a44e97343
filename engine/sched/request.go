package sched

import (
	"slices"
	"sort"

	"github.com/minspace/min/engine/api"
)

// kube-scheduler's stand-ins for a container's missing cpu and memory
// requests when it scores (schedutil.DefaultMilliCPURequest and
// DefaultMemoryRequest): without them pods that request nothing would not
// spread.
const (
	defaultMilliCPURequest int64 = 100
	defaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// extraAmount is a requested resource other than cpu and memory.
type extraAmount struct {
	name  string
	value int64
}

// request is what a pod takes from its node.
type request struct {
	amounts
	nonZero amounts       // for scoring only
	extra   []extraAmount // sorted by name, zero values left out
}

// equal says whether two requests take the same from a node.
func (r *request) equal(o *request) bool {
	return r.amounts == o.amounts && r.nonZero == o.nonZero && slices.Equal(r.extra, o.extra)
}

// podRequest sums the containers' requests; a limit stands in for a missing
// request, as API defaulting would have copied it. cpu is compared in
// millicores (MilliValue), everything else in units (Value).
func podRequest(spec *api.PodSpec) request {
	var r request
	extra := map[string]int64(nil)
	for i := range spec.Containers {
		res := &spec.Containers[i].Resources
		cpu, hasCPU := quantity(res, "cpu", true)
		mem, hasMem := quantity(res, "memory", false)
		r.cpu += cpu
		r.mem += mem
		r.nonZero.cpu += orDefault(cpu, hasCPU, defaultMilliCPURequest)
		r.nonZero.mem += orDefault(mem, hasMem, defaultMemoryRequest)
		for _, name := range extraNames(res) {
			v, _ := quantity(res, name, false)
			if extra == nil {
				extra = make(map[string]int64)
			}
			extra[name] += v
		}
	}
	for name, v := range extra {
		if v != 0 {
			r.extra = append(r.extra, extraAmount{name, v})
		}
	}
	sort.Slice(r.extra, func(i, j int) bool { return r.extra[i].name < r.extra[j].name })
	return r
}

// quantity returns a container's request for name, or its limit when the
// request is missing; found says whether either was set.
func quantity(res *api.ResourceRequirements, name string, milli bool) (int64, bool) {
	q, ok := res.Requests[name]
	if !ok {
		q, ok = res.Limits[name]
	}
	if !ok {
		return 0, false
	}
	if milli {
		return q.MilliValue(), true
	}
	return q.Value(), true
}

func orDefault(v int64, found bool, def int64) int64 {
	if found {
		return v
	}
	return def
}

// extraNames lists the resources other than cpu and memory a container
// requests or limits.
func extraNames(res *api.ResourceRequirements) []string {
	var names []string
	for name := range res.Requests {
		if name != "cpu" && name != "memory" {
			names = append(names, name)
		}
	}
	for name := range res.Limits {
		if _, dup := res.Requests[name]; !dup && name != "cpu" && name != "memory" {
			names = append(names, name)
		}
	}
	return names
}
