package store

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/tidwall/btree"

	"github.com/minspace/min/engine/api"
)

// objKey names an object inside its resource. Cluster-scoped objects have
// an empty namespace.
type objKey struct{ namespace, name string }

// entry is one stored object. obj is immutable once stored and replaced
// (never changed) by an update, under the store's write lock.
type entry struct {
	key objKey
	obj api.Object
	raw string // obj's JSON as stored, without resourceVersion
	id  uint32 // index into table.ids
}

// set is a set of entries (one label value, one field value…) by id. Ids
// rather than pointers keep the index maps free of pointers: the garbage
// collector does not scan them and inserting needs no write barrier.
type set map[uint32]struct{}

// table holds every object of one resource and its indexes.
type table struct {
	kind    api.Kind
	fields  fieldFunc
	entries map[objKey]*entry
	ids     []*entry                  // by id; nil where an id is free
	free    []uint32                  // ids to reuse
	order   *btree.BTreeG[*entry]     // by namespace, then name
	perNS   map[string]int            // objects per namespace
	labels  map[string]map[string]set // label key -> value -> entries
	indexed map[string]map[string]set // field -> value -> entries

	// For watchers, under the store's lock: notify is closed (and
	// replaced) when the table is written, last is the revision of its
	// last change since the store opened, touched marks it written under
	// the current hold of the lock.
	notify  chan struct{}
	last    int64
	touched bool
}

// entryLess orders entries by namespace, then name. (A sort key string
// "namespace NUL name" per entry did the same for 35 more bytes and an
// allocation per object.)
func entryLess(a, b *entry) bool { return a.key.compare(b.key) < 0 }

func (k objKey) compare(o objKey) int {
	if c := strings.Compare(k.namespace, o.namespace); c != 0 {
		return c
	}
	return strings.Compare(k.name, o.name)
}

func newTable(k api.Kind) *table {
	t := &table{
		kind:    k,
		fields:  fieldsFor(k.New()),
		entries: make(map[objKey]*entry),
		order:   btree.NewBTreeGOptions(entryLess, btree.Options{NoLocks: true}),
		perNS:   make(map[string]int),
		labels:  make(map[string]map[string]set),
		indexed: make(map[string]map[string]set),
		notify:  make(chan struct{}),
	}
	for _, f := range t.fields.indexed {
		t.indexed[f] = make(map[string]set)
	}
	return t
}

// initTables makes one table per kind in api.Kinds.
func (s *Store) initTables() {
	s.byType = make(map[reflect.Type]*table, len(api.Kinds))
	s.byRes = make(map[string]*table, len(api.Kinds))
	for _, k := range api.Kinds {
		t := newTable(k)
		s.byType[reflect.TypeOf(k.New())] = t
		s.byRes[k.Resource] = t
	}
}

// tableOf finds the table for obj's Go type.
func (s *Store) tableOf(obj api.Object) (*table, error) {
	if obj == nil || reflect.ValueOf(obj).IsNil() {
		return nil, api.NewBadRequest("store: no object given")
	}
	t, ok := s.byType[reflect.TypeOf(obj)]
	if !ok {
		return nil, api.NewBadRequest(fmt.Sprintf("store: no kind is registered for %T", obj))
	}
	return t, nil
}

// tableFor finds the table for a resource name ("pods").
func (s *Store) tableFor(resource string) (*table, error) {
	t, ok := s.byRes[resource]
	if !ok {
		return nil, api.NewNotFound("resources", resource)
	}
	return t, nil
}

// scope returns the namespace a key uses for this table: cluster-scoped
// kinds ignore the namespace they are asked for.
func (t *table) scope(namespace string) string {
	if !t.kind.Namespaced {
		return ""
	}
	return namespace
}

// put inserts e, or replaces the entry with the same key, and indexes it.
func (t *table) put(e *entry) {
	if old, ok := t.entries[e.key]; ok {
		t.replace(old, e.obj, e.raw)
		return
	}
	if n := len(t.free); n > 0 {
		e.id, t.free = t.free[n-1], t.free[:n-1]
		t.ids[e.id] = e
	} else {
		e.id = uint32(len(t.ids))
		t.ids = append(t.ids, e)
	}
	t.entries[e.key] = e
	t.order.Set(e)
	t.perNS[e.key.namespace]++
	t.index(e)
}

// replace gives the stored entry e a new state and indexes it again: only
// the labels and fields that changed move.
func (t *table) replace(e *entry, obj api.Object, raw string) {
	old := e.obj
	e.obj, e.raw = obj, raw
	t.reindex(e, old)
}

// remove drops the entry with key k and returns it.
func (t *table) remove(k objKey) *entry {
	e, ok := t.entries[k]
	if !ok {
		return nil
	}
	t.unindex(e)
	t.ids[e.id] = nil
	t.free = append(t.free, e.id)
	delete(t.entries, k)
	t.order.Delete(e)
	if t.perNS[k.namespace]--; t.perNS[k.namespace] == 0 {
		delete(t.perNS, k.namespace)
	}
	return e
}

func (t *table) index(e *entry) {
	for k, v := range e.obj.GetObjectMeta().Labels {
		add(t.labels, k, v, e)
	}
	for _, f := range t.fields.indexed {
		v, _ := t.fields.get(e.obj, f)
		add(t.indexed, f, v, e)
	}
}

// reindex moves e in the indexes from what old said to what e.obj says.
// Most updates (statuses, bindings) change no label and one indexed field
// at most, and were paying a delete and an insert for every one.
func (t *table) reindex(e *entry, old api.Object) {
	was, is := old.GetObjectMeta().Labels, e.obj.GetObjectMeta().Labels
	for k, v := range was {
		if nv, ok := is[k]; !ok || nv != v {
			del(t.labels, k, v, e)
		}
	}
	for k, v := range is {
		if ov, ok := was[k]; !ok || ov != v {
			add(t.labels, k, v, e)
		}
	}
	for _, f := range t.fields.indexed {
		ov, _ := t.fields.get(old, f)
		nv, _ := t.fields.get(e.obj, f)
		if ov != nv {
			del(t.indexed, f, ov, e)
			add(t.indexed, f, nv, e)
		}
	}
}

func (t *table) unindex(e *entry) {
	for k, v := range e.obj.GetObjectMeta().Labels {
		del(t.labels, k, v, e)
	}
	for _, f := range t.fields.indexed {
		v, _ := t.fields.get(e.obj, f)
		del(t.indexed, f, v, e)
	}
}

func add(idx map[string]map[string]set, k, v string, e *entry) {
	vals := idx[k]
	if vals == nil {
		vals = make(map[string]set)
		idx[k] = vals
	}
	s := vals[v]
	if s == nil {
		s = make(set, 1)
		vals[v] = s
	}
	s[e.id] = struct{}{}
}

func del(idx map[string]map[string]set, k, v string, e *entry) {
	vals := idx[k]
	s := vals[v]
	delete(s, e.id)
	if len(s) == 0 {
		delete(vals, v)
		if len(vals) == 0 {
			delete(idx, k)
		}
	}
}
