package sched

import (
	"fmt"
	"testing"

	"github.com/minspace/min/engine/api"
)

func TestLeastAllocated(t *testing.T) {
	tests := []struct {
		name  string
		node  *api.Node
		bound []*api.Pod
		pod   *api.Pod
		want  int64
	}{
		// cpu (4000-1000)*100/4000 = 75, memory (8Gi-2Gi)/8Gi = 75.
		{"requests", mkNode("n", "4", "8Gi", 110), nil, mkPod("p", requests("cpu", "1", "memory", "2Gi")), 75},
		// cpu (4000-1000-1000)/4000 = 50, memory (8Gi-4Gi)/8Gi = 50.
		{"bound pods count", mkNode("n", "4", "8Gi", 110), []*api.Pod{mkPod("a", boundTo("n"), requests("cpu", "1", "memory", "2Gi"))}, mkPod("p", requests("cpu", "1", "memory", "2Gi")), 50},
		// missing requests score as 100m and 200Mi: cpu (1000-100)/1000 = 90,
		// memory (1000Mi-200Mi)/1000Mi = 80 -> 85.
		{"non-zero defaults", mkNode("n", "1", "1000Mi", 110), nil, mkPod("p"), 85},
		// integer division per resource, then of the mean: cpu 66, memory 100 -> 83.
		{"integer arithmetic", mkNode("n", "3", "1Gi", 110), nil, mkPod("p", requests("cpu", "1", "memory", "0")), 83},
		// over-requested resources score 0: cpu 0, memory 50.
		{"over capacity", mkNode("n", "1", "2Gi", 110), nil, mkPod("p", requests("cpu", "2", "memory", "1Gi")), 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScheduler(Options{}, tt.node)
			for _, p := range tt.bound {
				s.AddPod(p)
			}
			c := newCandidate(tt.pod)
			if got := c.leastAllocated(s.nodes["n"]); got != tt.want {
				t.Fatalf("score = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestScorePicksLeastRequested(t *testing.T) {
	s := newScheduler(Options{}, mkNode("busy", "4", "8Gi", 110), mkNode("idle", "4", "8Gi", 110))
	s.AddPod(mkPod("a", boundTo("busy"), requests("cpu", "2", "memory", "4Gi")))
	for i := range 3 {
		got, err := s.ScheduleAndAssume(mkPod(fmt.Sprint("p", i), requests("cpu", "500m", "memory", "1Gi")))
		if err != nil || got != "idle" {
			t.Fatalf("pod %d: %q, %v; want idle", i, got, err)
		}
	}
}

// TestTiesSpread: equal nodes share pods evenly, by fewer pods and then in
// turn.
func TestTiesSpread(t *testing.T) {
	var nodes []*api.Node
	for i := range 5 {
		nodes = append(nodes, mkNode(fmt.Sprint("n", i), "64", "256Gi", 110))
	}
	s := newScheduler(Options{}, nodes...)
	count := map[string]int{}
	var order []string
	for i := range 50 {
		n, err := s.ScheduleAndAssume(mkPod(fmt.Sprint("p", i)))
		if err != nil {
			t.Fatal(err)
		}
		count[n]++
		if i < 5 {
			order = append(order, n)
		}
	}
	for _, n := range nodes {
		if count[n.Name] != 10 {
			t.Fatalf("spread %v, want 10 each", count)
		}
	}
	if fmt.Sprint(order) != "[n0 n1 n2 n3 n4]" {
		t.Fatalf("first round went to %v, want each node in turn", order)
	}
}

func TestFeasibleToFind(t *testing.T) {
	tests := []struct {
		nodes, percent, want int
	}{
		{50, 0, 50},       // small clusters: every node
		{99, 10, 99},      // below 100 nodes: every node
		{1000, 0, 420},    // 50 - 1000/125 = 42%
		{5000, 0, 500},    // 50 - 40 = 10%
		{6000, 0, 300},    // 50 - 48 = 2% -> 5%
		{200, 0, 100},     // 48% of 200 = 96 -> at least 100
		{1000, 100, 1000}, // explicit: all
		{1000, 20, 200},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.nodes, "/", tt.percent), func(t *testing.T) {
			if got := feasibleToFind(tt.nodes, tt.percent); got != tt.want {
				t.Fatalf("feasibleToFind(%d, %d) = %d, want %d", tt.nodes, tt.percent, got, tt.want)
			}
		})
	}
}

// TestSampling: on 1,000 nodes a search scores 420 feasible nodes and the
// next one starts after them, so every node is visited in turn.
func TestSampling(t *testing.T) {
	s := New(Options{})
	for i := range 1000 {
		s.AddNode(mkNode(fmt.Sprintf("n%04d", i), "64", "256Gi", 110))
	}
	if _, err := s.ScheduleAndAssume(mkPod("p0")); err != nil {
		t.Fatal(err)
	}
	if s.next != 420 {
		t.Fatalf("next search starts at %d, want 420", s.next)
	}
	all := newScheduler(Options{PercentageOfNodesToScore: 100})
	for i := range 1000 {
		all.AddNode(mkNode(fmt.Sprintf("n%04d", i), "64", "256Gi", 110))
	}
	n, err := all.ScheduleAndAssume(mkPod("p0"))
	if err != nil || n != "n0000" || all.next != 1 {
		t.Fatalf("scoring all nodes: %q %v next %d", n, err, all.next)
	}
}
