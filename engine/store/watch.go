package store

import (
	"context"
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// Event is one change seen by a watcher.
type Event struct {
	Type   string // Added, Modified or Deleted
	Object api.Object
}

// WatchOptions select what a watch sees and from when.
type WatchOptions struct {
	Namespace string          // "" = all namespaces; ignored for cluster-scoped kinds
	Labels    labels.Selector // nil = everything
	Fields    fields.Selector // nil = everything
	// ResourceVersion "" or "0" starts from now; N delivers every event
	// after revision N (from the history).
	ResourceVersion string
	// Shared delivers the stored objects themselves instead of private
	// copies: the engine's own informers read every change and copying
	// each for each of them was most of their cost. A consumer that asks
	// for it must never change an object it receives.
	Shared bool
}

// change is one write as kept in the history: obj is the new state (for a
// deletion, the last state carrying the deletion's revision), prev the
// state before (updates and deletions).
type change struct {
	rev  int64
	t    *table
	typ  string
	obj  api.Object
	prev api.Object
}

// history is a ring of the last changes, indexed by revision (every write
// takes the next revision, so revisions in the ring are contiguous).
type history struct {
	ring  []change
	start int64 // the revision at open: older ones are not in the ring
}

func newHistory(size int, rev int64) history {
	return history{ring: make([]change, size), start: rev}
}

// oldest is the oldest revision a watch can start from when the store is
// at rev.
func (h *history) oldest(rev int64) int64 {
	return max(h.start, rev-int64(len(h.ring)))
}

func (h *history) at(rev int64) *change {
	return &h.ring[rev%int64(len(h.ring))]
}

// commit records a change made under the write lock; unlock wakes its
// watchers.
func (s *Store) commit(c change) { s.record(c) }

// record adds a change to the history without waking watchers: unlock
// wakes the watchers of every resource written under the lock, once.
func (s *Store) record(c change) {
	s.rev = c.rev
	*s.hist.at(c.rev) = c
	c.t.last = c.rev
	if !c.t.touched {
		c.t.touched = true
		s.touched = append(s.touched, c.t)
	}
}

// unlock releases the write lock and then wakes the watchers of the
// resources written under it. Under the lock it only swaps their
// channels, and closes the old ones once the lock is free, so that the
// watchers it wakes (each reads under the read lock) find the lock free
// instead of blocking on it again. Each resource has its own channel: a
// pod's write does not wake the watchers of nodes, nor an event's those
// of pods.
func (s *Store) unlock() {
	woken := make([]chan struct{}, 0, len(s.touched))
	for _, t := range s.touched {
		woken = append(woken, t.notify)
		t.notify, t.touched = make(chan struct{}), false
	}
	clear(s.touched)
	s.touched = s.touched[:0]
	s.mu.Unlock()
	for _, ch := range woken {
		close(ch)
	}
}

// Watch streams the changes of one resource, in revision order, until ctx
// ends, the store closes, or the consumer stops reading and loses more than
// Options.WatchBuffer events of ground (see the package documentation): the
// channel is then closed, and the consumer watches again from the
// resourceVersion of the last event it received.
func (s *Store) Watch(ctx context.Context, resource string, opts WatchOptions) (<-chan Event, error) {
	w, lag, err := s.newWatcher(resource, opts)
	if err != nil {
		return nil, err
	}
	w.ctx, w.out, w.maxLag = ctx, make(chan Event, 64), lag+int64(s.opts.WatchBuffer)
	go w.run()
	return w.out, nil
}

// watchStart turns a resourceVersion into the revision to follow from,
// and says how far behind the store that revision is.
func (s *Store) watchStart(rv string) (from, lag int64, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, 0, ErrClosed
	}
	if rv == "" || rv == "0" {
		return s.rev, 0, nil
	}
	from, err = strconv.ParseInt(rv, 10, 64)
	if err != nil || from < 0 {
		return 0, 0, api.NewBadRequest(fmt.Sprintf("invalid resource version %q", rv))
	}
	if oldest := s.hist.oldest(s.rev); from < oldest {
		return 0, 0, api.NewGone(fmt.Sprintf("too old resource version: %d (%d)", from, oldest))
	}
	return from, max(s.rev-from, 0), nil
}

type watcher struct {
	s      *Store
	t      *table
	ctx    context.Context
	cursor int64 // the last revision taken from the history
	maxLag int64 // how far behind the store the consumer may be when it blocks
	match  *matcher
	shared bool // deliver stored objects without copying them
	out    chan Event
}

// batch is how many changes a watcher takes from the history at a time.
const batch = 256

func (w *watcher) run() {
	defer close(w.out)
	var buf []change
	for {
		var wake <-chan struct{}
		var ok bool
		buf, wake, ok = w.s.next(w, buf[:0])
		if !ok {
			return
		}
		if wake != nil {
			select {
			case <-wake:
				continue
			case <-w.ctx.Done():
				return
			case <-w.s.done:
				return
			}
		}
		for i := range buf {
			if ev, ok := w.convert(&buf[i]); ok && !w.send(ev, buf[i].rev) {
				return
			}
		}
	}
}

// next copies the changes after w.cursor, up to batch of them, into buf
// and advances the cursor past them. When nothing is new it returns a
// channel that is closed at the next write. ok is false when the watch
// must end: the store closed, or the consumer fell too far behind.
func (s *Store) next(w *watcher, buf []change) ([]change, <-chan struct{}, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, nil, false
	}
	if w.t.last <= w.cursor { // nothing of w's resource since: skip what others wrote
		w.cursor = max(w.cursor, s.rev)
		return buf, w.t.notify, true
	}
	if w.cursor < s.hist.oldest(s.rev) {
		return nil, nil, false
	}
	end := min(s.rev, w.cursor+batch)
	for rev := w.cursor + 1; rev <= end; rev++ {
		if c := s.hist.at(rev); c.t == w.t {
			buf = append(buf, *c)
		}
	}
	w.cursor = end
	return buf, nil, true
}

// send delivers ev, the event of revision rev. When the consumer is not
// reading and has fallen more than WatchBuffer events further behind the
// store than where its watch started, send gives up and the watch ends:
// the consumer resumes from the last event it got. A consumer catching up
// from an old revision is not closed as long as it does not lose ground.
func (w *watcher) send(ev Event, rev int64) bool {
	select {
	case w.out <- ev:
		return true
	default:
	}
	if w.s.Revision()-rev > w.maxLag {
		return false
	}
	select {
	case w.out <- ev:
		return true
	case <-w.ctx.Done():
	case <-w.s.done:
	}
	return false
}

// convert applies the watcher's selectors with Kubernetes' rules: an
// update that makes an object stop matching is a DELETED (of its previous
// state, at the update's revision), one that makes it match is an ADDED.
func (w *watcher) convert(c *change) (Event, bool) {
	switch c.typ {
	case Added, Deleted:
		if w.match.matches(c.obj) {
			return Event{Type: c.typ, Object: w.own(c.obj)}, true
		}
	case Modified:
		now, before := w.match.matches(c.obj), w.match.matches(c.prev)
		switch {
		case now && before:
			return Event{Type: Modified, Object: w.own(c.obj)}, true
		case now:
			return Event{Type: Added, Object: w.own(c.obj)}, true
		case before:
			old := c.prev.DeepCopyObject()
			setRV(old, c.rev)
			return Event{Type: Deleted, Object: old}, true
		}
	}
	return Event{}, false
}

// own returns what the consumer gets of a stored object: a private copy,
// or the object itself for a shared watch.
func (w *watcher) own(obj api.Object) api.Object {
	if w.shared {
		return obj
	}
	return obj.DeepCopyObject()
}

// Feed follows the changes of one resource, as Watch does, for a consumer
// that reads them on its own goroutine: there is no goroutine and channel
// of the store's in between. The engine's own informers read every change,
// and that hop cost each of them a goroutine wake-up per change. A Feed
// never ends by itself while it keeps within the history: it is the
// consumer's to keep up (a consumer that falls out of the history gets a
// Gone error from Next and lists again).
type Feed struct {
	w   watcher
	buf []change
}

// Feed starts following resource from opts.ResourceVersion, with the same
// rules as Watch.
func (s *Store) Feed(resource string, opts WatchOptions) (*Feed, error) {
	w, _, err := s.newWatcher(resource, opts)
	if err != nil {
		return nil, err
	}
	return &Feed{w: *w}, nil
}

// newWatcher checks opts against resource and returns a watcher at the
// revision opts.ResourceVersion names, with the history's lag behind it.
func (s *Store) newWatcher(resource string, opts WatchOptions) (*watcher, int64, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return nil, 0, err
	}
	if err := t.checkFields(opts.Fields); err != nil {
		return nil, 0, err
	}
	from, lag, err := s.watchStart(opts.ResourceVersion)
	if err != nil {
		return nil, 0, err
	}
	return &watcher{s: s, t: t, cursor: from, shared: opts.Shared,
		match: newMatcher(t, t.scope(opts.Namespace), opts.Labels, opts.Fields)}, lag, nil
}

// Next appends to evs the events after the last ones it returned, up to a
// few hundred at a time. When there is nothing new it returns no events
// and a channel that is closed at the next write. It fails with ErrClosed
// once the store is closed, and with a Gone error when the changes after
// the last event returned have left the history.
func (f *Feed) Next(evs []Event) ([]Event, <-chan struct{}, error) {
	for {
		var wake <-chan struct{}
		var ok bool
		f.buf, wake, ok = f.w.s.next(&f.w, f.buf[:0])
		switch {
		case !ok && f.w.s.isClosed():
			return evs, nil, ErrClosed
		case !ok:
			return evs, nil, api.NewGone(fmt.Sprintf("too old resource version: %d", f.w.cursor))
		case wake != nil:
			return evs, wake, nil
		}
		for i := range f.buf {
			if ev, ok := f.w.convert(&f.buf[i]); ok {
				evs = append(evs, ev)
			}
		}
		clear(f.buf) // the history's objects are not kept alive from here
		if len(evs) > 0 {
			return evs, nil, nil
		}
	}
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}
