package store

import (
	"runtime"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	"github.com/minspace/min/engine/api"
)

// ListOptions select what List returns.
type ListOptions struct {
	Namespace string          // "" = all namespaces; ignored for cluster-scoped kinds
	Labels    labels.Selector // nil = everything
	Fields    fields.Selector // nil = everything
	// Shared returns the stored objects themselves instead of private
	// copies; the caller must never change them.
	Shared bool
}

// matcher is a namespace plus label and field selectors.
type matcher struct {
	namespace string
	labels    labels.Selector
	fields    fields.Selector
	of        objFields // reused by matches: a matcher belongs to one goroutine
}

func newMatcher(t *table, namespace string, ls labels.Selector, fs fields.Selector) *matcher {
	if ls != nil && ls.Empty() {
		ls = nil
	}
	if fs != nil && fs.Empty() {
		fs = nil
	}
	return &matcher{namespace: namespace, labels: ls, fields: fs, of: objFields{f: t.fields}}
}

func (m *matcher) matches(obj api.Object) bool {
	meta := obj.GetObjectMeta()
	if m.namespace != "" && meta.Namespace != m.namespace {
		return false
	}
	if m.labels != nil && !m.labels.Matches(labels.Set(meta.Labels)) {
		return false
	}
	if m.fields == nil {
		return true
	}
	m.of.obj = obj
	return m.fields.Matches(&m.of)
}

// hit is one object found by a list.
type hit struct {
	key objKey // the entry's key, which orders lists
	obj api.Object
}

// List returns private copies of the objects of one resource that match
// opts, sorted by namespace then name, and the store revision the list is
// consistent with. A selective label or field requirement (=, ==, in,
// exists, an indexed field) is answered from the indexes; the rest of the
// selector filters the candidates.
func (s *Store) List(resource string, opts ListOptions) ([]api.Object, int64, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return nil, 0, err
	}
	if err := t.checkFields(opts.Fields); err != nil {
		return nil, 0, err
	}
	m := newMatcher(t, t.scope(opts.Namespace), opts.Labels, opts.Fields)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, 0, ErrClosed
	}
	hits, sorted := t.find(m)
	rev := s.rev
	s.mu.RUnlock()
	if !sorted {
		slices.SortFunc(hits, func(a, b hit) int { return a.key.compare(b.key) })
	}
	if opts.Shared {
		out := make([]api.Object, len(hits))
		for i, h := range hits {
			out[i] = h.obj
		}
		return out, rev, nil
	}
	return copyAll(hits), rev, nil
}

// Count returns how many objects of one resource match opts, without
// copying any: the indexes answer selective requirements, as for List.
func (s *Store) Count(resource string, opts ListOptions) (int, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return 0, err
	}
	if err := t.checkFields(opts.Fields); err != nil {
		return 0, err
	}
	m := newMatcher(t, t.scope(opts.Namespace), opts.Labels, opts.Fields)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, ErrClosed
	}
	if m.labels == nil && m.fields == nil {
		if m.namespace == "" {
			return len(t.entries), nil
		}
		return t.perNS[m.namespace], nil
	}
	if n, ok := t.countIndexed(m); ok {
		return n, nil
	}
	hits, _ := t.find(m)
	return len(hits), nil
}

// countIndexed answers a count of one indexed field's value, in every
// namespace, from the index alone.
func (t *table) countIndexed(m *matcher) (int, bool) {
	if m.namespace != "" || m.labels != nil {
		return 0, false
	}
	reqs := m.fields.Requirements()
	if len(reqs) != 1 || (reqs[0].Operator != selection.Equals && reqs[0].Operator != selection.DoubleEquals) {
		return 0, false
	}
	vals, ok := t.indexed[reqs[0].Field]
	if !ok {
		return 0, false
	}
	return len(vals[reqs[0].Value]), true
}

// find returns the matching objects; sorted says whether they are in
// namespace/name order already.
func (t *table) find(m *matcher) ([]hit, bool) {
	if m.labels != nil {
		if _, selectable := m.labels.Requirements(); !selectable {
			return nil, true // labels.Nothing()
		}
	}
	plan := t.plan(m)
	m = plan.residual(m)
	hits := make([]hit, 0, plan.cost)
	keep := func(e *entry) bool {
		if m.namespace != "" && e.key.namespace != m.namespace {
			return true
		}
		if (m.labels == nil && m.fields == nil) || m.matches(e.obj) {
			hits = append(hits, hit{e.key, e.obj})
		}
		return true
	}
	if plan.sets == nil {
		t.scan(m.namespace, keep)
		return hits, true
	}
	for _, st := range plan.sets {
		for id := range st {
			keep(t.ids[id])
		}
	}
	return hits, len(plan.sets) == 0
}

// scan visits the entries of one namespace ("" = all) in order.
func (t *table) scan(namespace string, fn func(*entry) bool) {
	if namespace == "" {
		t.order.Scan(fn)
		return
	}
	t.order.Ascend(&entry{key: objKey{namespace: namespace}}, func(e *entry) bool {
		return e.key.namespace == namespace && fn(e)
	})
}

// plan is how a list finds its candidates: the union of sets, or (sets ==
// nil) a scan of the namespace.
type plan struct {
	sets  []set
	cost  int
	label int // the label requirement the sets answer, or -1
}

// residual is what is left to check on the candidates: every candidate of
// a label lookup meets that requirement already, so checking it again would
// only cost a visit to each object.
func (p plan) residual(m *matcher) *matcher {
	if p.label < 0 {
		return m
	}
	reqs, _ := m.labels.Requirements()
	rest := *m
	rest.labels = nil
	if len(reqs) > 1 {
		rest.labels = labels.NewSelector().Add(slices.Delete(slices.Clone(reqs), p.label, p.label+1)...)
	}
	return &rest
}

// plan picks the cheapest way to find candidates: a scan of the namespace
// (or of everything), or the smallest index lookup one requirement allows.
func (t *table) plan(m *matcher) plan {
	best := plan{cost: t.order.Len(), label: -1}
	if m.namespace != "" {
		best.cost = t.perNS[m.namespace]
	}
	if m.labels != nil {
		reqs, _ := m.labels.Requirements()
		for i, r := range reqs {
			if p, ok := t.labelPlan(r); ok && p.cost < best.cost {
				best, best.label = p, i
			}
		}
	}
	if m.fields != nil {
		for _, r := range m.fields.Requirements() {
			if p, ok := t.fieldPlan(r, m.namespace); ok && p.cost < best.cost {
				best = p
			}
		}
	}
	return best
}

func (t *table) labelPlan(r labels.Requirement) (plan, bool) {
	vals := t.labels[r.Key()]
	var p plan
	switch r.Operator() {
	case selection.Equals, selection.DoubleEquals, selection.In:
		for _, v := range r.ValuesUnsorted() {
			if st := vals[v]; len(st) > 0 {
				p.sets = append(p.sets, st)
				p.cost += len(st)
			}
		}
	case selection.Exists:
		for _, st := range vals {
			p.sets = append(p.sets, st)
			p.cost += len(st)
		}
	default:
		return plan{}, false
	}
	if p.sets == nil {
		p.sets = []set{} // nothing can match
	}
	return p, true
}

func (t *table) fieldPlan(r fields.Requirement, namespace string) (plan, bool) {
	if r.Operator != selection.Equals && r.Operator != selection.DoubleEquals {
		return plan{}, false
	}
	if r.Field == "metadata.name" {
		return t.namePlan(r.Value, namespace), true
	}
	vals, ok := t.indexed[r.Field]
	if !ok {
		return plan{}, false
	}
	st := vals[r.Value]
	return plan{sets: []set{st}, cost: len(st), label: -1}, true
}

// namePlan looks the name up in the namespace, or in every namespace.
func (t *table) namePlan(name, namespace string) plan {
	found := set{}
	if namespace != "" || !t.kind.Namespaced {
		if e, ok := t.entries[objKey{namespace, name}]; ok {
			found[e.id] = struct{}{}
		}
		return plan{sets: []set{found}, cost: 1, label: -1}
	}
	for ns := range t.perNS {
		if e, ok := t.entries[objKey{ns, name}]; ok {
			found[e.id] = struct{}{}
		}
	}
	return plan{sets: []set{found}, cost: len(t.perNS), label: -1}
}

// copyAll deep-copies the hits, on every CPU when there are many.
func copyAll(hits []hit) []api.Object {
	out := make([]api.Object, len(hits))
	const perWorker = 256
	workers := min(runtime.GOMAXPROCS(0), (len(hits)+perWorker-1)/perWorker)
	if workers <= 1 {
		for i, h := range hits {
			out[i] = h.obj.DeepCopyObject()
		}
		return out
	}
	chunk := (len(hits) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(hits); lo += chunk {
		hi := min(lo+chunk, len(hits))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = hits[i].obj.DeepCopyObject()
			}
		})
	}
	wg.Wait()
	return out
}
