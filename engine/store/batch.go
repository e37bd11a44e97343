package store

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/minspace/min/engine/api"
)

// Op is one write of a batch given to Apply: a creation (Create set) or a
// read-modify-write of the object Resource/Namespace/Name (Update set).
type Op struct {
	// Create is a new object to store. The store takes it: the caller must
	// not read or change it afterwards.
	Create api.Object

	Resource, Namespace, Name string
	// Update gets a private copy of the current object and returns its
	// next state, which the store takes; an error aborts this op alone and
	// is its result. If another write changes the object between the read
	// and the write, Update is called again with the newer state.
	Update func(cur api.Object) (api.Object, error)
	// Shared gives Update the stored object itself instead of a private
	// copy, saving a deep copy per write: Update must not change it, nor
	// anything it points to, and returns a new object (typically a shallow
	// copy whose changed parts are replaced, not modified in place).
	Shared bool
}

// Result is the outcome of one Op. Object is the stored object itself,
// shared with the store and every other reader: it must never be changed
// (DeepCopyObject it first).
type Result struct {
	Object api.Object
	Err    error
}

// Apply performs a batch of writes in few buntdb transactions (of up to
// maxTx writes each), so that a burst of writes (a scheduler's bindings,
// a kubelet's statuses, their events) costs a few writes to the file
// instead of one each. Each op takes its own revision, in order (other
// writers' may come between two transactions), and is its own watch
// event; an op that fails (AlreadyExists, NotFound, an error from Update)
// does not stop the others. Every op acknowledged without error is as
// durable as a single write.
func (s *Store) Apply(ops []Op) []Result {
	res := make([]Result, len(ops))
	todo := make([]int, len(ops))
	for i := range todo {
		todo[i] = i
	}
	for len(todo) > 0 {
		drafts := make([]*draft, len(todo))
		for j, i := range todo {
			drafts[j], res[i].Err = s.draftOp(&ops[i])
		}
		var retry []int
		for lo := 0; lo < len(todo); lo += maxTx {
			hi := min(lo+maxTx, len(todo))
			retry = append(retry, s.applyDrafts(todo[lo:hi], drafts[lo:hi], res)...)
			if hi < len(todo) {
				runtime.Gosched() // hand the lock to a writer that waits for it
			}
		}
		for _, d := range drafts {
			d.release()
		}
		todo = retry
	}
	return res
}

// maxTx bounds how many writes of a batch one transaction makes under the
// write lock. A burst of 512 bindings or statuses held the lock for
// milliseconds, and a client's single create waiting behind it spent
// more time waiting than working; between transactions, Apply yields so
// that a waiting writer takes the lock before Apply takes it again (Go's
// mutex would let Apply barge in first).
const maxTx = 64

// draftOp prepares one op outside the lock: for an update it reads the
// current object, calls Update on a private copy and remembers the
// revision it read (d.rv) for the compare-and-set.
func (s *Store) draftOp(op *Op) (*draft, error) {
	if op.Create != nil {
		d, err := s.prepareOwned(op.Create)
		if d != nil {
			d.create = true
			d.frame()
		}
		return d, err
	}
	cur, err := s.GetShared(op.Resource, op.Namespace, op.Name)
	if err != nil {
		return nil, err
	}
	rv := cur.GetObjectMeta().ResourceVersion
	if !op.Shared {
		cur = cur.DeepCopyObject()
	}
	next, err := op.Update(cur)
	if err != nil {
		return nil, err
	}
	if op.Shared && next == cur {
		return nil, api.NewBadRequest(fmt.Sprintf("store: a shared update of %s %q must return a new object", op.Resource, op.Name))
	}
	d, err := s.prepareOwned(next)
	if err != nil {
		return nil, err
	}
	if d.t.kind.Resource != op.Resource || d.key != (objKey{d.t.scope(op.Namespace), op.Name}) {
		return nil, api.NewBadRequest(fmt.Sprintf("store: update of %s %q may not change its kind, namespace or name", op.Resource, op.Name))
	}
	d.rv = rv
	d.frame()
	return d, nil
}

// applyDrafts writes the drafts that still hold under the write lock, in
// one transaction, and returns the indexes of updates to try again
// (another write changed their object since it was read).
func (s *Store) applyDrafts(todo []int, drafts []*draft, res []Result) (retry []int) {
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		for j, i := range todo {
			if drafts[j] != nil {
				res[i].Err = ErrClosed
			}
		}
		return nil
	}
	var writes []write
	rev := s.rev
	for j, i := range todo {
		d := drafts[j]
		if d == nil {
			continue
		}
		w, err := s.check(d, rev+1)
		switch {
		case errors.Is(err, errRetry):
			retry = append(retry, i)
		case err != nil:
			res[i].Err = err
		case w.val == "": // nothing changed
			res[i].Object = w.obj
		default:
			rev++
			w.res = &res[i]
			writes = append(writes, w)
		}
	}
	if err := s.persistBatch(writes); err != nil {
		for _, w := range writes {
			w.res.Err = err
		}
		return nil
	}
	for _, w := range writes {
		s.install(w)
		w.res.Object = w.d.obj
	}
	return retry
}

// errRetry marks an update whose object changed since it was read.
var errRetry = errors.New("retry")

// write is one checked draft with its revision and buntdb value.
type write struct {
	d   *draft
	rev int64
	val string // "<rev>\n<json>"; empty when the update changes nothing
	obj api.Object
	res *Result
}

// check decides under the lock what a draft does at revision rev. Drafts
// are checked in order and installed only after the batch is persisted,
// so a later draft of the same batch must see the earlier ones: check
// looks at writes pending in s.pend too.
func (s *Store) check(d *draft, rev int64) (write, error) {
	e, exists := d.t.entries[d.key]
	pending := s.pend[pendKey{d.t, d.key}]
	if d.create {
		if exists || pending {
			return write{}, api.NewAlreadyExists(d.t.kind.Resource, d.key.name)
		}
	} else {
		if !exists {
			return write{}, api.NewNotFound(d.t.kind.Resource, d.key.name)
		}
		if pending || d.rv != e.obj.GetObjectMeta().ResourceVersion {
			return write{}, errRetry
		}
		if string(d.raw) == e.raw {
			return write{obj: e.obj}, nil
		}
	}
	w := write{d: d, rev: rev, val: d.value(rev)}
	if s.pend == nil {
		s.pend = map[pendKey]bool{}
	}
	s.pend[pendKey{d.t, d.key}] = true
	return w, nil
}

// pendKey names an object written by the batch being applied.
type pendKey struct {
	t   *table
	key objKey
}

// persistBatch writes every value in one buntdb transaction.
func (s *Store) persistBatch(writes []write) error {
	clear(s.pend)
	if len(writes) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *buntdb.Tx) error {
		for _, w := range writes {
			if _, _, err := tx.Set(dbKey(w.d.t, w.d.key), w.val, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: write %d objects: %w", len(writes), err)
	}
	s.touch()
	return nil
}

// install puts a persisted write into its table and the history.
func (s *Store) install(w write) {
	d := w.d
	setRV(d.obj, w.rev)
	raw := w.val[strings.IndexByte(w.val, '\n')+1:] // shares buntdb's memory
	var prev api.Object
	typ := Added
	if e, ok := d.t.entries[d.key]; ok {
		prev, typ = e.obj, Modified
		d.t.replace(e, d.obj, raw)
	} else {
		d.t.put(&entry{key: d.key, obj: d.obj, raw: raw})
	}
	s.record(change{rev: w.rev, t: d.t, typ: typ, obj: d.obj, prev: prev})
}
