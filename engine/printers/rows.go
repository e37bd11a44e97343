package printers

import (
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// Labels printNode reads roles from.
const (
	labelNodeRolePrefix = "node-role.kubernetes.io/"
	labelNodeRole       = "kubernetes.io/role"
)

func nodeRow(obj api.Object, now time.Time, cells []any) (Row, error) {
	n, ok := obj.(*api.Node)
	if !ok {
		return Row{}, wrongType("nodes", obj)
	}
	info := n.Status.NodeInfo
	return Row{Object: obj, Cells: append(cells,
		n.Name, nodeStatus(n), orNone(strings.Join(nodeRoles(n), ",")),
		age(n.CreationTimestamp.Time, now), info.KubeletVersion,
		nodeAddress(n, "InternalIP"), nodeAddress(n, "ExternalIP"),
		orUnknown(info.OSImage), orUnknown(info.KernelVersion), orUnknown(info.ContainerRuntimeVersion),
	)}, nil
}

// nodeStatus is Ready or NotReady from the Ready condition (Unknown
// without one), then SchedulingDisabled for a cordoned node.
func nodeStatus(n *api.Node) string {
	status := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			status = "NotReady"
			if c.Status == "True" {
				status = "Ready"
			}
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

// nodeRoles is findNodeRoles: node-role.kubernetes.io/<role> keys and the
// value of kubernetes.io/role, sorted and without duplicates.
func nodeRoles(n *api.Node) []string {
	set := map[string]bool{}
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, labelNodeRolePrefix):
			if role := strings.TrimPrefix(k, labelNodeRolePrefix); role != "" {
				set[role] = true
			}
		case k == labelNodeRole && v != "":
			set[v] = true
		}
	}
	roles := make([]string, 0, len(set))
	for r := range set {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles
}

func nodeAddress(n *api.Node, typ string) string {
	for _, a := range n.Status.Addresses {
		if a.Type == typ {
			return a.Address
		}
	}
	return "<none>"
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}

func namespaceRow(obj api.Object, now time.Time, cells []any) (Row, error) {
	ns, ok := obj.(*api.Namespace)
	if !ok {
		return Row{}, wrongType("namespaces", obj)
	}
	return Row{Object: obj, Cells: append(cells, ns.Name, ns.Status.Phase, age(ns.CreationTimestamp.Time, now))}, nil
}

func rcRow(obj api.Object, now time.Time, cells []any) (Row, error) {
	rc, ok := obj.(*api.ReplicationController)
	if !ok {
		return Row{}, wrongType("replicationcontrollers", obj)
	}
	var containers []api.Container
	if rc.Spec.Template != nil {
		containers = rc.Spec.Template.Spec.Containers
	}
	names, images := containerCells(containers)
	return Row{Object: obj, Cells: append(cells,
		rc.Name, int64(desiredReplicas(rc)), int64(rc.Status.Replicas), int64(rc.Status.ReadyReplicas),
		age(rc.CreationTimestamp.Time, now), names, images, labels.FormatLabels(rc.Spec.Selector),
	)}, nil
}

// desiredReplicas is spec.replicas with the API default of 1 when unset.
func desiredReplicas(rc *api.ReplicationController) int32 {
	if rc.Spec.Replicas == nil {
		return 1
	}
	return *rc.Spec.Replicas
}

// containerCells is layoutContainerCells: names and images comma-joined.
func containerCells(cs []api.Container) (string, string) {
	names := make([]string, len(cs))
	images := make([]string, len(cs))
	for i, c := range cs {
		names[i], images[i] = c.Name, c.Image
	}
	return strings.Join(names, ","), strings.Join(images, ",")
}

func eventRow(obj api.Object, now time.Time, cells []any) (Row, error) {
	e, ok := obj.(*api.Event)
	if !ok {
		return Row{}, wrongType("events", obj)
	}
	first := age(e.FirstTimestamp.Time, now)
	if e.FirstTimestamp.IsZero() {
		first = age(e.EventTime.Time, now)
	}
	last := age(e.LastTimestamp.Time, now)
	if e.LastTimestamp.IsZero() {
		last = first
	}
	count := e.Count
	if count == 0 {
		count = 1 // singleton events of the new API have no count
	}
	return Row{Object: obj, Cells: append(cells,
		last, e.Type, e.Reason, eventTarget(e.InvolvedObject), e.InvolvedObject.FieldPath,
		eventSource(e), strings.TrimSpace(e.Message), first, int64(count), e.Name,
	)}, nil
}

// eventTarget is kind/name in lower case ("pod/kubia").
func eventTarget(ref api.ObjectReference) string {
	if ref.Name == "" {
		return strings.ToLower(ref.Kind)
	}
	return strings.ToLower(ref.Kind) + "/" + ref.Name
}

// eventSource is formatEventSource: "component, host" without an empty
// host, falling back to the reporting controller and instance.
func eventSource(e *api.Event) string {
	component, host := e.Source.Component, e.Source.Host
	if component == "" {
		component = e.ReportingController
	}
	if host == "" {
		host = e.ReportingInstance
	}
	if host == "" {
		return component
	}
	return component + ", " + host
}
