package controller

import (
	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/api/resource"
)

// QoS classes.
const (
	QOSGuaranteed = "Guaranteed"
	QOSBurstable  = "Burstable"
	QOSBestEffort = "BestEffort"
)

// QOSClass computes a pod's QoS class as Kubernetes' GetPodQOS, over cpu
// and memory: BestEffort when no container requests or limits either;
// Guaranteed when every container limits both and the summed requests
// equal the summed limits; Burstable otherwise. A limit stands in for a
// missing request, as API defaulting does.
func QOSClass(spec *api.PodSpec) string {
	requests := map[string]*resource.Quantity{}
	limits := map[string]*resource.Quantity{}
	guaranteed := true
	for i := range spec.Containers {
		res := &spec.Containers[i].Resources
		limited := 0
		for _, name := range []string{"cpu", "memory"} {
			if q, ok := effectiveRequest(res, name); ok && q.Sign() > 0 {
				addTo(requests, name, q)
			}
			if q, ok := res.Limits[name]; ok && q.Sign() > 0 {
				addTo(limits, name, q)
				limited++
			}
		}
		if limited != 2 {
			guaranteed = false
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return QOSBestEffort
	}
	if guaranteed && len(requests) == len(limits) && sameQuantities(requests, limits) {
		return QOSGuaranteed
	}
	return QOSBurstable
}

func effectiveRequest(res *api.ResourceRequirements, name string) (resource.Quantity, bool) {
	if q, ok := res.Requests[name]; ok {
		return q, true
	}
	q, ok := res.Limits[name]
	return q, ok
}

func addTo(m map[string]*resource.Quantity, name string, q resource.Quantity) {
	if sum, ok := m[name]; ok {
		sum.Add(q)
		return
	}
	c := q.DeepCopy()
	m[name] = &c
}

func sameQuantities(a, b map[string]*resource.Quantity) bool {
	for name, q := range a {
		if l, ok := b[name]; !ok || q.Cmp(*l) != 0 {
			return false
		}
	}
	return true
}
