package sched

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/minspace/min/engine/api"
)

// TestMessages checks the FitError texts of reference §8.3 verbatim.
func TestMessages(t *testing.T) {
	tests := []struct {
		name  string
		nodes []*api.Node
		pod   *api.Pod
		want  string
	}{
		{
			name:  "selector matches no node",
			nodes: []*api.Node{mkNode("n1", "2", "4Gi", 110), mkNode("n2", "2", "4Gi", 110), mkNode("n3", "2", "4Gi", 110)},
			pod:   mkPod("p", selector("gpu", "true")),
			want:  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
		},
		{
			name:  "one node short of cpu",
			nodes: []*api.Node{mkNode("n1", "1", "4Gi", 110)},
			pod:   mkPod("p", requests("cpu", "2")),
			want:  "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
		},
		{
			name: "memory on one node, selector on two",
			nodes: []*api.Node{
				mkNode("n1", "2", "1Gi", 110, withLabels("disk", "ssd")),
				mkNode("n2", "2", "4Gi", 110), mkNode("n3", "2", "4Gi", 110),
			},
			pod:  mkPod("p", selector("disk", "ssd"), requests("memory", "2Gi")),
			want: "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
		},
		{
			name: "cpu on one node, selector on two (the issue's example)",
			nodes: []*api.Node{
				mkNode("n1", "1", "4Gi", 110, withLabels("disk", "ssd")),
				mkNode("n2", "2", "4Gi", 110), mkNode("n3", "2", "4Gi", 110),
			},
			pod:  mkPod("p", selector("disk", "ssd"), requests("cpu", "1500m")),
			want: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
		},
		{
			name:  "no nodes at all",
			nodes: nil,
			pod:   mkPod("p"),
			want:  "no nodes available to schedule pods",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScheduler(Options{}, tt.nodes...)
			_, err := s.Schedule(tt.pod)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error:\n got %v\nwant %s", err, tt.want)
			}
			var fe *FitError
			if !errors.As(err, &fe) || !errors.Is(err, ErrUnschedulable) {
				t.Fatalf("error %T is not a *FitError matching ErrUnschedulable", err)
			}
		})
	}
}

// TestHistogramSortsAsStrings: "10 …" sorts before "2 …", as upstream.
func TestHistogramSortsAsStrings(t *testing.T) {
	var nodes []*api.Node
	for i := range 12 {
		if i < 10 {
			nodes = append(nodes, mkNode(fmt.Sprintf("a%d", i), "4", "8Gi", 110))
		} else {
			nodes = append(nodes, mkNode(fmt.Sprintf("b%d", i), "1", "8Gi", 110, withLabels("disk", "ssd")))
		}
	}
	s := newScheduler(Options{}, nodes...)
	_, err := s.Schedule(mkPod("p", selector("disk", "ssd"), requests("cpu", "2")))
	want := "0/12 nodes are available: 10 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. preemption: 0/12 nodes are available: 10 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}
	var fe *FitError
	errors.As(err, &fe)
	if got := fe.NodeReasons["b10"]; len(got) != 1 || got[0] != "Insufficient cpu" {
		t.Fatalf("NodeReasons[b10] = %q", got)
	}
}

// TestGPUExample is the Kubernetes docs' example: a pod with nodeSelector
// gpu=true fits nowhere until a node is labelled.
func TestGPUExample(t *testing.T) {
	n1, n2, n3 := mkNode("n1", "2", "4Gi", 110), mkNode("n2", "2", "4Gi", 110), mkNode("n3", "2", "4Gi", 110)
	s := newScheduler(Options{}, n1, n2, n3)
	pod := mkPod("gpu-pod", selector("gpu", "true"))
	_, err := s.Schedule(pod)
	want := "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	if err == nil || err.Error() != want {
		t.Fatalf("before labelling: %v", err)
	}
	n2.Labels["gpu"] = "true"
	s.UpdateNode(n2)
	got, err := s.Schedule(pod)
	if err != nil || got != "n2" {
		t.Fatalf("after labelling: Schedule = %q, %v; want n2", got, err)
	}
}

func TestNodeCopiesLabels(t *testing.T) {
	n := mkNode("n1", "2", "4Gi", 110, withLabels("gpu", "true"))
	s := newScheduler(Options{}, n)
	n.Labels["gpu"] = "false" // the caller changes its object without UpdateNode
	if got, err := s.Schedule(mkPod("p", selector("gpu", "true"))); err != nil || got != "n1" {
		t.Fatalf("Schedule = %q, %v; the scheduler must keep its own copy", got, err)
	}
}

func TestAssumeAndForget(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110))
	p1 := mkPod("p1", requests("cpu", "600m"))
	node, err := s.ScheduleAndAssume(p1)
	if err != nil || node != "n1" {
		t.Fatalf("ScheduleAndAssume = %q, %v", node, err)
	}
	p2 := mkPod("p2", requests("cpu", "600m"))
	if _, err := s.Schedule(p2); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("second pod while the first is assumed: %v, want unschedulable", err)
	}
	if _, err := s.ScheduleAndAssume(p1); !errors.Is(err, ErrBound) {
		t.Fatalf("assuming twice: %v, want ErrBound", err)
	}
	s.Forget(p1) // binding failed
	if got, err := s.Schedule(p2); err != nil || got != "n1" {
		t.Fatalf("after Forget: %q, %v", got, err)
	}
}

func TestAssumeThenConfirm(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110))
	p := mkPod("p", requests("cpu", "600m"))
	if err := s.Assume(p, "n1"); err != nil {
		t.Fatal(err)
	}
	s.UpdatePod(p) // a status change seen before the binding: still assumed
	bound := mkPod("p", requests("cpu", "600m"), boundTo("n1"))
	s.AddPod(bound) // the binding arrives through the watch
	s.Forget(p)     // a late Forget must not free a confirmed pod
	if _, err := s.Schedule(mkPod("q", requests("cpu", "600m"))); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("confirmed pod freed by Forget: %v", err)
	}
	if got := s.nodes["n1"].pods; got != 1 {
		t.Fatalf("pods on n1 = %d, want 1 (counted once)", got)
	}
}

func TestAssumeErrors(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110))
	if err := s.Assume(mkPod("p"), "nope"); !errors.Is(err, ErrUnknownNode) {
		t.Fatalf("Assume on unknown node: %v", err)
	}
	s.AddPod(mkPod("p", boundTo("n1")))
	if err := s.Assume(mkPod("p"), "n1"); !errors.Is(err, ErrBound) {
		t.Fatalf("Assume of a bound pod: %v", err)
	}
}

func TestPodLifecycleAccounting(t *testing.T) {
	tests := []struct {
		name  string
		steps func(s *Scheduler)
		want  int64 // cpu millicores requested on n1 afterwards
		pods  int64
	}{
		{"remove frees", func(s *Scheduler) {
			s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "300m")))
			s.RemovePod(mkPod("a"))
		}, 0, 0},
		{"terminal frees", func(s *Scheduler) {
			s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "300m")))
			s.UpdatePod(mkPod("a", boundTo("n1"), requests("cpu", "300m"), phase("Succeeded")))
		}, 0, 0},
		{"update is idempotent", func(s *Scheduler) {
			s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "300m")))
			s.UpdatePod(mkPod("a", boundTo("n1"), requests("cpu", "300m"), phase("Running")))
			s.UpdatePod(mkPod("a", boundTo("n1"), requests("cpu", "300m"), phase("Running")))
		}, 300, 1},
		{"move to another node", func(s *Scheduler) {
			s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "300m")))
			s.UpdatePod(mkPod("a", boundTo("n2"), requests("cpu", "300m")))
		}, 0, 0},
		{"assumed elsewhere, bound here", func(s *Scheduler) {
			_ = s.Assume(mkPod("a", requests("cpu", "300m")), "n2")
			s.UpdatePod(mkPod("a", boundTo("n1"), requests("cpu", "300m")))
		}, 300, 1},
		{"unbound pods are not counted", func(s *Scheduler) {
			s.AddPod(mkPod("a", requests("cpu", "300m")))
		}, 0, 0},
		{"remove an unknown pod", func(s *Scheduler) { s.RemovePod(mkPod("zz")) }, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110), mkNode("n2", "1", "1Gi", 110))
			tt.steps(s)
			ni := s.nodes["n1"]
			if ni.requested.cpu != tt.want || ni.pods != tt.pods {
				t.Fatalf("n1: cpu %d pods %d; want %d %d", ni.requested.cpu, ni.pods, tt.want, tt.pods)
			}
		})
	}
}

func TestPodsBeforeNodeAndNodeRemoval(t *testing.T) {
	s := New(Options{})
	s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "800m")))
	if s.NumNodes() != 0 {
		t.Fatalf("a placeholder counts as a node")
	}
	n1 := mkNode("n1", "1", "1Gi", 110)
	s.AddNode(n1)
	if _, err := s.Schedule(mkPod("p", requests("cpu", "500m"))); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("pod seen before its node was not counted: %v", err)
	}
	s.RemoveNode(n1)
	if _, err := s.Schedule(mkPod("p")); err == nil || err.Error() != noNodesAvailable {
		t.Fatalf("after RemoveNode: %v", err)
	}
	s.RemovePod(mkPod("a"))
	if len(s.nodes) != 0 {
		t.Fatalf("placeholder kept after its last pod left: %d", len(s.nodes))
	}
}

func TestRemoveNodeKeepsOthers(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110), mkNode("n2", "1", "1Gi", 110), mkNode("n3", "1", "1Gi", 110))
	s.RemoveNode(mkNode("n1", "1", "1Gi", 110))
	s.RemoveNode(mkNode("n1", "1", "1Gi", 110)) // twice is harmless
	seen := map[string]bool{}
	for i := range 6 {
		n, err := s.ScheduleAndAssume(mkPod(fmt.Sprint("p", i)))
		if err != nil {
			t.Fatal(err)
		}
		seen[n] = true
	}
	if len(seen) != 2 || seen["n1"] {
		t.Fatalf("pods went to %v, want n2 and n3", seen)
	}
}

// TestConcurrentAssume: goroutines racing for a node with room for 10 pods
// never place more than 10.
func TestConcurrentAssume(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "10", "10Gi", 110))
	var wg sync.WaitGroup
	var mu sync.Mutex
	placed := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.ScheduleAndAssume(mkPod(fmt.Sprint("p", i), requests("cpu", "1"))); err == nil {
				mu.Lock()
				placed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if placed != 10 {
		t.Fatalf("placed %d pods, want 10", placed)
	}
}

func TestUsage(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "4", "8Gi", 110))
	if _, ok := s.Usage("nope"); ok {
		t.Fatalf("usage of an unknown node")
	}
	s.AddPod(mkPod("a", boundTo("n1"), requests("cpu", "250m", "memory", "1Gi")))
	_ = s.Assume(mkPod("b", requests("cpu", "1")), "n1")
	s.AddPod(mkPod("c", boundTo("n1"))) // no requests: counts as a pod only
	u, ok := s.Usage("n1")
	if want := (Usage{CPUMilli: 1250, MemoryBytes: 1 << 30, Pods: 3}); !ok || u != want {
		t.Fatalf("Usage = %+v, want %+v", u, want)
	}
}
