package sched

// maxNodeScore is framework.MaxNodeScore.
const maxNodeScore int64 = 100

// leastAllocated is NodeResourcesFit's LeastAllocated strategy with its
// default weights (cpu 1, memory 1): the mean over cpu and memory of
// (allocatable - requested) * 100 / allocatable, where requested counts the
// pod itself and uses the non-zero defaults for missing requests. Resources
// the node does not offer are left out of the mean.
func (c *candidate) leastAllocated(ni *nodeInfo) int64 {
	var sum, weights int64
	if ni.allocatable.cpu > 0 {
		sum += leastRequested(ni.nonZero.cpu+c.req.nonZero.cpu, ni.allocatable.cpu)
		weights++
	}
	if ni.allocatable.mem > 0 {
		sum += leastRequested(ni.nonZero.mem+c.req.nonZero.mem, ni.allocatable.mem)
		weights++
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}

func leastRequested(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * maxNodeScore / capacity
}

// better reports whether a node with score s and p pods beats the best so
// far: a higher score, then fewer pods. Equal nodes keep the one met first,
// and the search order rotates, which spreads ties round-robin.
func better(s, p, bestScore, bestPods int64) bool {
	if s != bestScore {
		return s > bestScore
	}
	return p < bestPods
}

// Adaptive percentageOfNodesToScore, as kube-scheduler's
// numFeasibleNodesToFind.
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// feasibleToFind returns how many feasible nodes a search collects before it
// stops scoring more: all of them in small clusters, else percent of the
// nodes (adaptive when percent is 0) but never fewer than 100.
func feasibleToFind(nodes, percent int) int {
	if nodes < minFeasibleNodesToFind || percent >= 100 {
		return nodes
	}
	if percent <= 0 {
		percent = 50 - nodes/125
		if percent < minFeasibleNodesPercentageToFind {
			percent = minFeasibleNodesPercentageToFind
		}
	}
	n := nodes * percent / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}
