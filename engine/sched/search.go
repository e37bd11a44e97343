package sched

import (
	"fmt"

	"github.com/minspace/min/engine/api"
)

// schedule runs one search with s.mu held: filter nodes from s.next on,
// score the feasible ones until enough are found, keep the best.
func (s *Scheduler) schedule(pod *api.Pod) (*nodeInfo, *candidate, error) {
	if pod.Spec.NodeName != "" {
		return nil, nil, fmt.Errorf("pod %s on %q: %w", podKey(pod), pod.Spec.NodeName, ErrBound)
	}
	n := len(s.list)
	if n == 0 {
		return nil, nil, &FitError{}
	}
	c := newCandidate(pod)
	match, err := s.labelMatch(pod)
	if err != nil {
		return nil, nil, fmt.Errorf("pod %s: node affinity: %w", podKey(pod), err)
	}
	c.match = match
	want := feasibleToFind(n, s.opts.PercentageOfNodesToScore)
	start := s.next % n
	var best *nodeInfo
	var bestScore, bestPods int64
	bestAt, found, processed := 0, 0, 0
	for ; processed < n && found < want; processed++ {
		ni := s.list[(start+processed)%n]
		if c.filter(ni) != 0 {
			continue
		}
		found++
		score := c.leastAllocated(ni)
		if best == nil || better(score, ni.pods, bestScore, bestPods) {
			best, bestScore, bestPods, bestAt = ni, score, ni.pods, processed
		}
	}
	if best == nil {
		return nil, nil, s.fitError(c)
	}
	s.advance(start, processed, bestAt, n)
	return best, c, nil
}

// advance moves the start of the next search past the nodes this one
// processed, as kube-scheduler does; when it processed every node, past the
// chosen one, so that equal nodes take turns.
func (s *Scheduler) advance(start, processed, chosen, n int) {
	if processed < n {
		s.next = (start + processed) % n
		return
	}
	s.next = (start + chosen + 1) % n
}

// fitError filters every node again, this time collecting reasons; it runs
// only when nothing fits. Nodes failing alike share one reasons slice.
func (s *Scheduler) fitError(c *candidate) *FitError {
	e := &FitError{NumAllNodes: len(s.list), NodeReasons: make(map[string][]string, len(s.list))}
	shared := map[failure][]string{}
	for _, ni := range s.list {
		f := c.filter(ni)
		r, ok := shared[f]
		if !ok {
			r = c.reasons(f, ni)
			if f&failExtra == 0 { // extra resources differ from node to node
				shared[f] = r
			}
		}
		e.NodeReasons[ni.name] = r
	}
	return e
}
