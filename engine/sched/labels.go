package sched

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// maxLabelMatches bounds the cache of label constraints: a cluster has few
// distinct ones (one per RC template, typically); past the bound the cache
// starts over.
const maxLabelMatches = 1024

// constraints are a pod's nodeSelector and required node affinity.
type constraints struct {
	selector    []labelPair
	affinity    [][]requirement // terms ORed, requirements ANDed
	hasAffinity bool
}

type labelPair struct{ key, value string }

// labelMatch caches, for one set of constraints, which known nodes satisfy
// them. Pods stamped from one template share it, so the per-node work of a
// search is a slice index. It is recomputed when any node's labels, or the
// node list, changed since (Scheduler.labelGen).
type labelMatch struct {
	cons  constraints
	gen   uint64
	valid bool
	nodes []bool // by position in Scheduler.list
}

// labelMatch returns which nodes satisfy pod's label constraints, or nil
// when it has none. It fails on a node affinity that Kubernetes' validation
// would have refused.
func (s *Scheduler) labelMatch(pod *api.Pod) ([]bool, error) {
	na := requiredAffinity(pod)
	if len(pod.Spec.NodeSelector) == 0 && na == nil {
		return nil, nil
	}
	s.keyBuf, s.keyScratch = appendKey(s.keyBuf[:0], s.keyScratch, pod.Spec.NodeSelector, na)
	m, ok := s.matches[string(s.keyBuf)] // no allocation for the lookup
	if !ok {
		cons, err := compileConstraints(pod.Spec.NodeSelector, na)
		if err != nil {
			return nil, err
		}
		if len(s.matches) >= maxLabelMatches {
			clear(s.matches)
		}
		m = &labelMatch{cons: cons}
		s.matches[string(s.keyBuf)] = m
	}
	if !m.valid || m.gen != s.labelGen {
		m.nodes = slices.Grow(m.nodes[:0], len(s.list))[:len(s.list)]
		for i, ni := range s.list {
			m.nodes[i] = m.cons.matches(ni.labels)
		}
		m.gen, m.valid = s.labelGen, true
	}
	return m.nodes, nil
}

func requiredAffinity(pod *api.Pod) *api.NodeSelector {
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

// appendKey serialises the constraints unambiguously into buf (every
// string length-prefixed, selector keys sorted) without allocating once buf
// and keys have grown.
func appendKey(buf []byte, keys []string, sel map[string]string, na *api.NodeSelector) ([]byte, []string) {
	put := func(s string) {
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
	}
	keys = keys[:0]
	for k := range sel {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		put(k)
		put(sel[k])
	}
	if na == nil {
		return buf, keys
	}
	buf = append(buf, 'A')
	for _, t := range na.NodeSelectorTerms {
		buf = append(buf, 'T')
		for _, e := range t.MatchExpressions {
			buf = append(buf, 'E')
			put(e.Key)
			put(e.Operator)
			for _, v := range e.Values {
				put(v)
			}
		}
	}
	return buf, keys
}

// compileConstraints validates and prepares a nodeSelector and node
// affinity.
func compileConstraints(sel map[string]string, na *api.NodeSelector) (constraints, error) {
	var c constraints
	for k, v := range sel {
		c.selector = append(c.selector, labelPair{k, v})
	}
	if na != nil {
		terms, err := compileTerms(na.NodeSelectorTerms)
		if err != nil {
			return constraints{}, err
		}
		c.affinity, c.hasAffinity = terms, true
	}
	return c, nil
}

// matches: every nodeSelector pair, and one of the required affinity terms.
func (c *constraints) matches(nodeLabels map[string]string) bool {
	for _, p := range c.selector {
		if v, ok := nodeLabels[p.key]; !ok || v != p.value {
			return false
		}
	}
	if !c.hasAffinity {
		return true
	}
	for _, term := range c.affinity {
		if matchesTerm(term, nodeLabels) {
			return true
		}
	}
	return false
}

// requirement is one node selector expression, validated by apimachinery's
// labels.NewRequirement and matched without its allocations.
type requirement struct {
	key    string
	op     selection.Operator
	values []string
	num    int64 // the bound of Gt and Lt
}

// compileTerms validates node selector terms as Kubernetes does
// (nodeSelectorRequirementsAsSelector). As upstream, a term without
// expressions matches no node, so it is left out.
func compileTerms(terms []api.NodeSelectorTerm) ([][]requirement, error) {
	var out [][]requirement
	for i, t := range terms {
		if len(t.MatchExpressions) == 0 {
			continue
		}
		reqs := make([]requirement, 0, len(t.MatchExpressions))
		for j, e := range t.MatchExpressions {
			r, err := compileRequirement(e)
			if err != nil {
				return nil, fmt.Errorf("nodeSelectorTerms[%d].matchExpressions[%d]: %w", i, j, err)
			}
			reqs = append(reqs, r)
		}
		out = append(out, reqs)
	}
	return out, nil
}

func compileRequirement(e api.NodeSelectorRequirement) (requirement, error) {
	op, ok := operators[e.Operator]
	if !ok {
		return requirement{}, fmt.Errorf("%w: operator %q is not In, NotIn, Exists, DoesNotExist, Gt or Lt", api.ErrInvalid, e.Operator)
	}
	if _, err := labels.NewRequirement(e.Key, op, e.Values); err != nil {
		return requirement{}, fmt.Errorf("%w: %v", api.ErrInvalid, err)
	}
	r := requirement{key: e.Key, op: op, values: e.Values}
	if op == selection.GreaterThan || op == selection.LessThan {
		r.num, _ = strconv.ParseInt(e.Values[0], 10, 64) // checked by NewRequirement
	}
	return r, nil
}

// matches is labels.Requirement.Matches: NotIn and DoesNotExist match a
// node without the label; Gt and Lt need an integer label value.
func (r *requirement) matches(nodeLabels map[string]string) bool {
	v, ok := nodeLabels[r.key]
	switch r.op {
	case selection.In:
		return ok && slices.Contains(r.values, v)
	case selection.NotIn:
		return !ok || !slices.Contains(r.values, v)
	case selection.Exists:
		return ok
	case selection.DoesNotExist:
		return !ok
	}
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false
	}
	if r.op == selection.GreaterThan {
		return n > r.num
	}
	return n < r.num
}

// matchesTerm: every requirement of the term.
func matchesTerm(term []requirement, nodeLabels map[string]string) bool {
	for i := range term {
		if !term[i].matches(nodeLabels) {
			return false
		}
	}
	return true
}

var operators = map[string]selection.Operator{
	"In":           selection.In,
	"NotIn":        selection.NotIn,
	"Exists":       selection.Exists,
	"DoesNotExist": selection.DoesNotExist,
	"Gt":           selection.GreaterThan,
	"Lt":           selection.LessThan,
}
