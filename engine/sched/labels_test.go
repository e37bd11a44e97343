package sched

import (
	"fmt"
	"testing"

	"github.com/minspace/min/engine/api"
)

// TestLabelMatchFollowsNodeChanges: the cached selector results follow
// added, removed and relabelled nodes.
func TestLabelMatchFollowsNodeChanges(t *testing.T) {
	ssd := func(name string) *api.Node { return mkNode(name, "64", "64Gi", 110, withLabels("disk", "ssd")) }
	s := newScheduler(Options{}, ssd("n1"), mkNode("n2", "64", "64Gi", 110), ssd("n3"))
	place := func() map[string]int {
		got := map[string]int{}
		for i := range 6 {
			n, err := s.Schedule(mkPod(fmt.Sprint("p", i), selector("disk", "ssd")))
			if err != nil {
				t.Fatal(err)
			}
			got[n]++
			if err := s.Assume(mkPod(fmt.Sprint("p", i)), n); err != nil {
				t.Fatal(err)
			}
			s.Forget(mkPod(fmt.Sprint("p", i)))
		}
		return got
	}
	steps := []struct {
		name   string
		change func()
		want   []string
	}{
		{"initial", func() {}, []string{"n1", "n3"}},
		{"remove n1 (n3 moves)", func() { s.RemoveNode(ssd("n1")) }, []string{"n3"}},
		{"add n4", func() { s.AddNode(ssd("n4")) }, []string{"n3", "n4"}},
		{"unlabel n3", func() { s.UpdateNode(mkNode("n3", "64", "64Gi", 110)) }, []string{"n4"}},
		{"label n2", func() { s.UpdateNode(ssd("n2")) }, []string{"n2", "n4"}},
	}
	for _, st := range steps {
		st.change()
		got := place()
		if len(got) != len(st.want) {
			t.Fatalf("%s: pods went to %v, want %v", st.name, got, st.want)
		}
		for _, n := range st.want {
			if got[n] == 0 {
				t.Fatalf("%s: pods went to %v, want %v", st.name, got, st.want)
			}
		}
	}
}

func TestLabelMatchCacheIsBounded(t *testing.T) {
	s := newScheduler(Options{}, mkNode("n1", "1", "1Gi", 110, withLabels("k", "v")))
	for i := range maxLabelMatches + 100 {
		_, _ = s.Schedule(mkPod("p", selector("k", fmt.Sprint(i))))
	}
	if len(s.matches) > maxLabelMatches {
		t.Fatalf("%d cached constraint sets", len(s.matches))
	}
	if n, err := s.Schedule(mkPod("p", selector("k", "v"))); err != nil || n != "n1" {
		t.Fatalf("after eviction: %q %v", n, err)
	}
}

func TestConstraintKeysDiffer(t *testing.T) {
	aff := func(key, op string, values ...string) *api.NodeSelector {
		return &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{MatchExpressions: []api.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}}}
	}
	cases := []struct {
		sel map[string]string
		na  *api.NodeSelector
	}{
		{map[string]string{"a": "b=c"}, nil},
		{map[string]string{"a=b": "c"}, nil},
		{map[string]string{"a": "b", "c": "d"}, nil},
		{map[string]string{"a": "bc", "": "d"}, nil},
		{nil, aff("a", "In", "b", "c")},
		{nil, aff("a", "In", "bc")},
		{nil, aff("a", "NotIn", "b", "c")},
		{map[string]string{"a": "b"}, aff("a", "In", "b")},
		{nil, &api.NodeSelector{}},
	}
	seen := map[string]int{}
	for i, c := range cases {
		k, _ := appendKey(nil, nil, c.sel, c.na)
		if j, dup := seen[string(k)]; dup {
			t.Fatalf("cases %d and %d share key %q", j, i, k)
		}
		seen[string(k)] = i
	}
	k1, _ := appendKey(nil, nil, map[string]string{"x": "1", "y": "2", "z": "3"}, nil)
	for range 20 { // map order must not matter
		k2, _ := appendKey(nil, nil, map[string]string{"z": "3", "y": "2", "x": "1"}, nil)
		if string(k1) != string(k2) {
			t.Fatalf("key depends on map order: %q %q", k1, k2)
		}
	}
}
