package printers

import (
	"errors"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// TestRenderings are §7.1's exact renderings, written by hand from the
// reference (produced there by kubectl's own tabwriter settings).
func TestRenderings(t *testing.T) {
	pods := kubiaPods()
	labelPods := []api.Object{
		pod("kubia-manual", 5*time.Minute, scheduled("node1", "10.244.0.5"),
			status("Running", cstatus("kubia", true, 0, running(5*time.Minute), api.ContainerState{}))),
		pod("kubia-manual-v2", 2*time.Minute, scheduled("node1", "10.244.0.6"), labelled("creation_method", "manual", "env", "prod"),
			status("Running", cstatus("kubia", true, 0, running(2*time.Minute), api.ContainerState{}))),
	}
	nodes := []api.Object{
		node("node1", 72*time.Hour, func(n *api.Node) { n.Labels = map[string]string{"node-role.kubernetes.io/control-plane": ""} }),
		node("node2", 72*time.Hour, func(n *api.Node) { n.Spec.Unschedulable = true }),
	}
	namespaces := []api.Object{namespace("default", "Active", 72*time.Hour), namespace("doomed", "Terminating", time.Second)}
	cases := []struct {
		name, kind, file string
		objs             []api.Object
		opts             Options
	}{
		{"get pods", "pods", "get-pods.txt", pods, Options{}},
		{"get pods -o wide", "pods", "get-pods-wide.txt", pods[:2], Options{Wide: true}},
		{"get pods -L", "pods", "get-pods-L.txt", labelPods, Options{LabelColumns: []string{"creation_method", "env"}}},
		{"get nodes", "nodes", "get-nodes.txt", nodes, Options{}},
		{"get ns", "namespaces", "get-ns.txt", namespaces, Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.file, render(t, c.kind, c.objs, c.opts))
		})
	}
}

func TestTableForErrors(t *testing.T) {
	if _, err := TableFor("services", nil, now); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("services: got %v, want ErrUnknownKind", err)
	}
	if _, err := TableFor("pods", []api.Object{namespace("x", "Active", 0)}, now); !errors.Is(err, ErrWrongType) {
		t.Errorf("namespace as pod: got %v, want ErrWrongType", err)
	}
}
