package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/minspace/min/engine/api"
)

// leasePrefix is where kubectl describe node looks for the node's lease,
// although coordination.k8s.io is not in discovery.
const leasePrefix = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"

// lease is coordination.k8s.io/v1 Lease, the fields describe prints.
type lease struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   api.ObjectMeta `json:"metadata"`
	Spec       leaseSpec      `json:"spec"`
}

type leaseSpec struct {
	HolderIdentity       string         `json:"holderIdentity"`
	LeaseDurationSeconds int32          `json:"leaseDurationSeconds"`
	RenewTime            *api.MicroTime `json:"renewTime,omitempty"`
}

// serveLease answers GET of a node's lease (it reports false for other
// paths). Min keeps no leases: node heartbeats are the Ready condition's
// lastHeartbeatTime, so the lease is derived from the node, as the
// kubelet's lease would say the same.
func (s *Server) serveLease(w http.ResponseWriter, r *http.Request) bool {
	name, ok := strings.CutPrefix(r.URL.Path, leasePrefix)
	if !ok {
		return false
	}
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed())
		return true
	}
	obj, err := s.eng.Get(r.Context(), "nodes", "", name)
	if errors.Is(err, api.ErrNotFound) {
		err = api.NewNotFound("leases.coordination.k8s.io", name)
	}
	if err != nil {
		writeError(w, err)
		return true
	}
	writeJSON(w, http.StatusOK, leaseOf(obj.(*api.Node)))
	return true
}

func leaseOf(n *api.Node) lease {
	l := lease{Kind: "Lease", APIVersion: "coordination.k8s.io/v1",
		Metadata: api.ObjectMeta{Name: n.Name, Namespace: "kube-node-lease", ResourceVersion: n.ResourceVersion,
			CreationTimestamp: n.CreationTimestamp,
			OwnerReferences:   []api.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: n.UID}}},
		Spec: leaseSpec{HolderIdentity: n.Name, LeaseDurationSeconds: 40}}
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" && !c.LastHeartbeatTime.IsZero() {
			l.Spec.RenewTime = &api.MicroTime{Time: c.LastHeartbeatTime.Time}
		}
	}
	return l
}
