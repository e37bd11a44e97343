package sched

import (
	"errors"
	"testing"

	"github.com/minspace/min/engine/api"
)

// msg builds the full FitError text for n nodes from the filter histogram
// and the preemption histogram (both already sorted).
func msg(n string, filter, preempt string) string {
	return "0/" + n + " nodes are available: " + filter + ". preemption: 0/" + n + " nodes are available: " + preempt + "."
}

func TestFilters(t *testing.T) {
	big := func(name string, opts ...nodeOpt) *api.Node { return mkNode(name, "4", "8Gi", 110, opts...) }
	tests := []struct {
		name    string
		nodes   []*api.Node
		bound   []*api.Pod // pods already on nodes
		pod     *api.Pod
		want    string // node, when it fits
		wantErr string // FitError text, when it does not
	}{
		{
			name:  "nodeSelector every pair must match",
			nodes: []*api.Node{big("n1", withLabels("disk", "ssd")), big("n2", withLabels("disk", "ssd", "zone", "a"))},
			pod:   mkPod("p", selector("disk", "ssd", "zone", "a")),
			want:  "n2",
		},
		{
			name:    "nodeSelector value differs",
			nodes:   []*api.Node{big("n1", withLabels("disk", "hdd"))},
			pod:     mkPod("p", selector("disk", "ssd")),
			wantErr: msg("1", "1 "+ReasonAffinity, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:  "empty nodeSelector matches every node",
			nodes: []*api.Node{big("n1")},
			pod:   mkPod("p", selector()),
			want:  "n1",
		},
		{
			name:  "affinity In",
			nodes: []*api.Node{big("n1", withLabels("zone", "b")), big("n2", withLabels("zone", "a"))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("zone", "In", "a", "c")})),
			want:  "n2",
		},
		{
			name:  "affinity NotIn matches a node without the label",
			nodes: []*api.Node{big("n1", withLabels("zone", "a")), big("n2")},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("zone", "NotIn", "a")})),
			want:  "n2",
		},
		{
			name:  "affinity Exists",
			nodes: []*api.Node{big("n1"), big("n2", withLabels("gpu", ""))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("gpu", "Exists")})),
			want:  "n2",
		},
		{
			name:  "affinity DoesNotExist",
			nodes: []*api.Node{big("n1", withLabels("gpu", "true")), big("n2")},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("gpu", "DoesNotExist")})),
			want:  "n2",
		},
		{
			name:  "affinity Gt compares integers",
			nodes: []*api.Node{big("n1", withLabels("cores", "8")), big("n2", withLabels("cores", "16")), big("n3", withLabels("cores", "x"))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("cores", "Gt", "9")})),
			want:  "n2",
		},
		{
			name:  "affinity Lt",
			nodes: []*api.Node{big("n1", withLabels("cores", "16")), big("n2", withLabels("cores", "8"))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("cores", "Lt", "9")})),
			want:  "n2",
		},
		{
			name:  "affinity expressions of a term are ANDed",
			nodes: []*api.Node{big("n1", withLabels("zone", "a")), big("n2", withLabels("zone", "a", "disk", "ssd"))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("zone", "In", "a"), expr("disk", "Exists")})),
			want:  "n2",
		},
		{
			name:  "affinity terms are ORed",
			nodes: []*api.Node{big("n1", withLabels("zone", "x")), big("n2", withLabels("disk", "ssd"))},
			pod:   mkPod("p", affinity([]api.NodeSelectorRequirement{expr("zone", "In", "a")}, []api.NodeSelectorRequirement{expr("disk", "In", "ssd")})),
			want:  "n2",
		},
		{
			name:    "affinity term without expressions matches nothing",
			nodes:   []*api.Node{big("n1")},
			pod:     mkPod("p", affinity([]api.NodeSelectorRequirement{})),
			wantErr: msg("1", "1 "+ReasonAffinity, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:    "nodeSelector and affinity must both match",
			nodes:   []*api.Node{big("n1", withLabels("zone", "a")), big("n2", withLabels("disk", "ssd"))},
			pod:     mkPod("p", selector("zone", "a"), affinity([]api.NodeSelectorRequirement{expr("disk", "Exists")})),
			wantErr: msg("2", "2 "+ReasonAffinity, "2 "+ReasonPreemptNoHelp),
		},
		{
			name:    "insufficient cpu",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:     mkPod("p", requests("cpu", "1500m")),
			wantErr: msg("1", "1 Insufficient cpu", "1 "+ReasonNoVictims),
		},
		{
			name:  "cpu exactly fills the node",
			nodes: []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			bound: []*api.Pod{mkPod("a", boundTo("n1"), requests("cpu", "400m"))},
			pod:   mkPod("p", requests("cpu", "0.6")),
			want:  "n1",
		},
		{
			name:    "pending pods on the node count",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			bound:   []*api.Pod{mkPod("a", boundTo("n1"), requests("cpu", "500m"))},
			pod:     mkPod("p", requests("cpu", "600m")),
			wantErr: msg("1", "1 Insufficient cpu", "1 "+ReasonNoVictims),
		},
		{
			name:  "terminal pods do not count",
			nodes: []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			bound: []*api.Pod{mkPod("a", boundTo("n1"), requests("cpu", "900m"), phase("Succeeded")), mkPod("b", boundTo("n1"), requests("cpu", "900m"), phase("Failed"))},
			pod:   mkPod("p", requests("cpu", "600m")),
			want:  "n1",
		},
		{
			name:    "insufficient memory and cpu on one node",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:     mkPod("p", requests("cpu", "2", "memory", "2Gi")),
			wantErr: msg("1", "1 Insufficient cpu, 1 Insufficient memory", "1 "+ReasonNoVictims),
		},
		{
			name:    "requests of all containers are summed",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:     mkPod("p", requests("memory", "600Mi"), container("memory", "600Mi")),
			wantErr: msg("1", "1 Insufficient memory", "1 "+ReasonNoVictims),
		},
		{
			name:    "a limit stands in for a missing request",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:     mkPod("p", limits("cpu", "2")),
			wantErr: msg("1", "1 Insufficient cpu", "1 "+ReasonNoVictims),
		},
		{
			name:  "a request wins over a limit",
			nodes: []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:   mkPod("p", requests("cpu", "500m"), limits("cpu", "2")),
			want:  "n1",
		},
		{
			name:    "too many pods",
			nodes:   []*api.Node{mkNode("n1", "4", "8Gi", 1)},
			bound:   []*api.Pod{mkPod("a", boundTo("n1"))},
			pod:     mkPod("p"),
			wantErr: msg("1", "1 Too many pods", "1 "+ReasonNoVictims),
		},
		{
			name:    "other resources are checked by name",
			nodes:   []*api.Node{big("n1", withAllocatable("example.com/gpu", "1")), big("n2")},
			pod:     mkPod("p", requests("example.com/gpu", "2")),
			wantErr: msg("2", "2 Insufficient example.com/gpu", "2 "+ReasonNoVictims),
		},
		{
			name:  "other resource that fits",
			nodes: []*api.Node{big("n1"), big("n2", withAllocatable("example.com/gpu", "2"))},
			pod:   mkPod("p", requests("example.com/gpu", "2")),
			want:  "n2",
		},
		{
			name:    "unschedulable node",
			nodes:   []*api.Node{big("n1", cordoned)},
			pod:     mkPod("p", requests("cpu", "100")),
			wantErr: msg("1", "1 "+ReasonUnschedulable, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:  "unschedulable node tolerated",
			nodes: []*api.Node{big("n1", cordoned)},
			pod:   mkPod("p", toleration(taintUnschedulable, "Exists", "", "NoSchedule")),
			want:  "n1",
		},
		{
			name:    "NoSchedule taint not tolerated",
			nodes:   []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"))},
			pod:     mkPod("p"),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:    "NoExecute taint not tolerated",
			nodes:   []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoExecute"))},
			pod:     mkPod("p", toleration("dedicated", "Equal", "gpu", "NoSchedule")),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:  "PreferNoSchedule does not filter",
			nodes: []*api.Node{big("n1", withTaint("dedicated", "gpu", "PreferNoSchedule"))},
			pod:   mkPod("p"),
			want:  "n1",
		},
		{
			name:  "Equal toleration with the same value",
			nodes: []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"))},
			pod:   mkPod("p", toleration("dedicated", "Equal", "gpu", "NoSchedule")),
			want:  "n1",
		},
		{
			name:    "Equal toleration with another value",
			nodes:   []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"))},
			pod:     mkPod("p", toleration("dedicated", "Equal", "cpu", "NoSchedule")),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:  "empty operator means Equal",
			nodes: []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"))},
			pod:   mkPod("p", toleration("dedicated", "", "gpu", "")),
			want:  "n1",
		},
		{
			name:  "Exists ignores the value, empty effect matches all",
			nodes: []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"), withTaint("dedicated", "x", "NoExecute"))},
			pod:   mkPod("p", toleration("dedicated", "Exists", "", "")),
			want:  "n1",
		},
		{
			name:  "empty key with Exists tolerates everything",
			nodes: []*api.Node{big("n1", withTaint("a", "1", "NoSchedule"), withTaint("b", "", "NoExecute"), cordoned)},
			pod:   mkPod("p", toleration("", "Exists", "", "")),
			want:  "n1",
		},
		{
			name:    "toleration effect must match",
			nodes:   []*api.Node{big("n1", withTaint("dedicated", "gpu", "NoSchedule"))},
			pod:     mkPod("p", toleration("dedicated", "Exists", "", "NoExecute")),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:    "node not ready is tainted not-ready",
			nodes:   []*api.Node{big("n1", withReady("False")), big("n2", withReady("Unknown"))},
			pod:     mkPod("p"),
			wantErr: msg("2", "2 "+ReasonTaint, "2 "+ReasonPreemptNoHelp),
		},
		{
			name:  "not-ready taint can be tolerated",
			nodes: []*api.Node{big("n1", withReady("False"))},
			pod:   mkPod("p", toleration(taintNotReady, "Exists", "", "NoSchedule")),
			want:  "n1",
		},
		{
			name:    "unreachable is not not-ready",
			nodes:   []*api.Node{big("n1", withReady("Unknown"))},
			pod:     mkPod("p", toleration(taintNotReady, "Exists", "", "NoSchedule")),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:  "node without a Ready condition is not tainted",
			nodes: []*api.Node{big("n1", withReady(""))},
			pod:   mkPod("p"),
			want:  "n1",
		},
		{
			name:    "the first failing filter alone reports",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110, cordoned, withTaint("a", "", "NoSchedule"))},
			pod:     mkPod("p", selector("x", "y"), requests("cpu", "8")),
			wantErr: msg("1", "1 "+ReasonUnschedulable, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:    "taint before affinity",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110, withTaint("a", "", "NoSchedule"))},
			pod:     mkPod("p", selector("x", "y"), requests("cpu", "8")),
			wantErr: msg("1", "1 "+ReasonTaint, "1 "+ReasonPreemptNoHelp),
		},
		{
			name:    "affinity before resources",
			nodes:   []*api.Node{mkNode("n1", "1", "1Gi", 110)},
			pod:     mkPod("p", selector("x", "y"), requests("cpu", "8")),
			wantErr: msg("1", "1 "+ReasonAffinity, "1 "+ReasonPreemptNoHelp),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScheduler(Options{}, tt.nodes...)
			for _, p := range tt.bound {
				s.AddPod(p)
			}
			got, err := s.Schedule(tt.pod)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Schedule = %q, want error %q", got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("error:\n got %s\nwant %s", err, tt.wantErr)
				}
				if !errors.Is(err, ErrUnschedulable) {
					t.Fatalf("errors.Is(%v, ErrUnschedulable) = false", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Schedule = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		name string
		pod  *api.Pod
		want error
	}{
		{"already bound", mkPod("p", boundTo("n1")), ErrBound},
		{"bad affinity operator", mkPod("p", affinity([]api.NodeSelectorRequirement{expr("a", "Near", "b")})), api.ErrInvalid},
		{"Gt needs an integer", mkPod("p", affinity([]api.NodeSelectorRequirement{expr("a", "Gt", "x")})), api.ErrInvalid},
		{"In needs values", mkPod("p", affinity([]api.NodeSelectorRequirement{expr("a", "In")})), api.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110))
			if _, err := s.Schedule(tt.pod); !errors.Is(err, tt.want) {
				t.Fatalf("Schedule error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTolerationMatrix(t *testing.T) {
	taint := api.Taint{Key: "k", Value: "v", Effect: "NoSchedule"}
	tests := []struct {
		name string
		tol  api.Toleration
		want bool
	}{
		{"equal", api.Toleration{Key: "k", Operator: "Equal", Value: "v", Effect: "NoSchedule"}, true},
		{"equal without effect", api.Toleration{Key: "k", Operator: "Equal", Value: "v"}, true},
		{"equal other value", api.Toleration{Key: "k", Operator: "Equal", Value: "w"}, false},
		{"exists", api.Toleration{Key: "k", Operator: "Exists"}, true},
		{"exists other key", api.Toleration{Key: "j", Operator: "Exists"}, false},
		{"exists other effect", api.Toleration{Key: "k", Operator: "Exists", Effect: "NoExecute"}, false},
		{"empty key exists", api.Toleration{Operator: "Exists"}, true},
		{"unknown operator", api.Toleration{Key: "k", Operator: "Gt", Value: "v"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toleratesTaint(&tt.tol, &taint); got != tt.want {
				t.Fatalf("toleratesTaint = %v, want %v", got, tt.want)
			}
		})
	}
}
