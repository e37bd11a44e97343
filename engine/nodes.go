package engine

import (
	"fmt"
	"net/netip"
	"runtime"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/store"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Versions Min reports (engine/cluster's, for clients that do not link
// the engine).
const (
	KubeVersion = cluster.KubeVersion
	Version     = cluster.Version
)

// The node types (engine/api's NodeTypeAnnotation and its values).
const (
	NodeTypeAnnotation = api.NodeTypeAnnotation
	NodeHost           = api.NodeHost
	NodeVirtual        = api.NodeVirtual
	NodeSimulated      = api.NodeSimulated
)

// DefaultClusterCIDR holds every node's /24 pod CIDR.
const DefaultClusterCIDR = "10.244.0.0/16"

func nodeType(n *api.Node) string { return n.Annotations[NodeTypeAnnotation] }

// prepareNode fills in what a kubelet would report for a node Min runs:
// capacity (kwok's defaults for simulated nodes), allocatable, a Ready
// condition, node info and a pod CIDR.
func (e *Engine) prepareNode(n *api.Node) error {
	typ := nodeType(n)
	if typ == "" {
		return nil
	}
	if typ != NodeHost && typ != NodeVirtual && typ != NodeSimulated {
		return api.NewBadRequest(fmt.Sprintf("annotation %s: unsupported value %q: supported values: %q, %q, %q",
			NodeTypeAnnotation, typ, NodeHost, NodeVirtual, NodeSimulated))
	}
	defaultCapacity(&n.Status, typ)
	// Allocatable defaults to capacity key by key: a node made with a
	// partial allocatable (cpu only) still has its pods and memory.
	if n.Status.Allocatable == nil {
		n.Status.Allocatable = api.ResourceList{}
	}
	for k, v := range n.Status.Capacity {
		if _, ok := n.Status.Allocatable[k]; !ok {
			n.Status.Allocatable[k] = v.DeepCopy()
		}
	}
	now := e.now()
	if len(n.Status.Conditions) == 0 {
		n.Status.Conditions = []api.NodeCondition{{Type: "Ready", Status: "True", Reason: "KubeletReady",
			Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}}
	}
	setLabelDefault(&n.ObjectMeta, "kubernetes.io/hostname", n.Name)
	setLabelDefault(&n.ObjectMeta, "kubernetes.io/os", runtime.GOOS)
	setLabelDefault(&n.ObjectMeta, "kubernetes.io/arch", runtime.GOARCH)
	info := &n.Status.NodeInfo
	if info.KubeletVersion == "" {
		info.KubeletVersion = KubeVersion
		info.ContainerRuntimeVersion = "min://" + Version
		info.OperatingSystem, info.Architecture = runtime.GOOS, runtime.GOARCH
	}
	if n.Spec.PodCIDR == "" {
		cidr, err := e.freePodCIDR()
		if err != nil {
			return err
		}
		if cidr != "" {
			n.Spec.PodCIDR, n.Spec.PodCIDRs = cidr, []string{cidr}
		}
	}
	return nil
}

// defaultCapacity fills what a node's capacity leaves out: kwok's figures
// for simulated nodes, this machine's for the others, and 110 pods.
func defaultCapacity(st *api.NodeStatus, typ string) {
	def := api.ResourceList{"cpu": resource.MustParse("32"), "memory": resource.MustParse("256Gi")}
	if typ != NodeSimulated {
		def = hostCapacity()
	}
	def["pods"] = resource.MustParse("110")
	if st.Capacity == nil {
		st.Capacity = api.ResourceList{}
	}
	for k, v := range def {
		if _, ok := st.Capacity[k]; !ok {
			st.Capacity[k] = v
		}
	}
}

func setLabelDefault(m *api.ObjectMeta, k, v string) {
	if _, ok := m.Labels[k]; ok {
		return
	}
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	m.Labels[k] = v
}

// freePodCIDR returns the first /24 of the cluster CIDR no node holds. Node
// creation is serialised by nodeMu, so two nodes never get the same one.
// When all 256 are taken a node gets none, and its pods no IP.
func (e *Engine) freePodCIDR() (string, error) {
	if e.podCIDRs == nil { // first use: learn what the stored nodes hold
		nodes, _, err := e.store.List("nodes", store.ListOptions{})
		if err != nil {
			return "", err
		}
		e.podCIDRs = map[string]bool{}
		for _, o := range nodes {
			e.podCIDRs[o.(*api.Node).Spec.PodCIDR] = true
		}
	}
	used := e.podCIDRs
	cluster, err := netip.ParsePrefix(e.opts.Network.ClusterCIDR)
	if err != nil || !cluster.Addr().Is4() || cluster.Bits() > 16 {
		return "", fmt.Errorf("cluster CIDR %q: want an IPv4 /16 or larger", e.opts.Network.ClusterCIDR)
	}
	base := cluster.Masked().Addr().As4()
	for i := 0; i < 256; i++ {
		cidr := netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], byte(i), 0}), 24).String()
		if !used[cidr] {
			used[cidr] = true // a failed create leaks it until the next Open: harmless
			return cidr, nil
		}
	}
	return "", nil
}

// releasePodCIDR forgets a deleted node's pod CIDR.
func (e *Engine) releasePodCIDR(n *api.Node) {
	e.nodeMu.Lock()
	defer e.nodeMu.Unlock()
	if e.podCIDRs != nil {
		delete(e.podCIDRs, n.Spec.PodCIDR)
	}
}
