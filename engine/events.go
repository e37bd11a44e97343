package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
)

// eventTTL is how long events are kept (the apiserver's default).
const eventTTL = time.Hour

// maxSeenEvents bounds the recorder's memory of recent events, as
// client-go's aggregation cache (maxLruCacheEntries) does.
const maxSeenEvents = 4096

// recorder writes Event objects, folding repeats of the same event on the
// same object into one object with a count, as client-go's recorder does.
type recorder struct {
	e      *Engine
	queued chan []*note  // notes for the writer goroutine (see queue)
	done   chan struct{} // closed when the writer has written the last
	mu     sync.Mutex
	seen   map[string]string // aggregation key -> event name
	last   int64             // the newest event name's nanoseconds: names never repeat
}

func newRecorder(e *Engine) *recorder {
	return &recorder{e: e, queued: make(chan []*note, 64), seen: map[string]string{}}
}

func eventKey(ref api.ObjectReference, typ, reason, msg string) string {
	return ref.UID + "\x00" + typ + "\x00" + reason + "\x00" + msg
}

// note is one event to record.
type note struct {
	obj                         api.Object
	typ, reason, component, msg string
	key, ns, name               string // aggregation key, the event's namespace, its name when seen before
	ref                         api.ObjectReference
	once                        bool // cannot repeat: not aggregated (see once)
}

func (r *recorder) note(obj api.Object, typ, reason, component, msg string) *note {
	n := r.once(obj, typ, reason, component, msg)
	n.once = false
	n.key = eventKey(n.ref, typ, reason, msg)
	r.mu.Lock()
	n.name = r.seen[n.key]
	r.mu.Unlock()
	return n
}

// once is note for an event that cannot happen twice to the same object
// (a pod is scheduled once): it skips the aggregation cache, whose key
// and bookkeeping cost more than the rest of a note, and whose 4,096
// entries a burst of such events would only churn.
func (r *recorder) once(obj api.Object, typ, reason, component, msg string) *note {
	tm, m := obj.GetTypeMeta(), obj.GetObjectMeta()
	n := &note{obj: obj, typ: typ, reason: reason, component: component, msg: msg, ns: m.Namespace, once: true,
		ref: api.ObjectReference{Kind: tm.Kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID,
			APIVersion: "v1", ResourceVersion: m.ResourceVersion}}
	if n.ns == "" {
		n.ns = "default"
	}
	return n
}

// record notes that something happened to obj. Failures are dropped: an
// event must never fail the operation it describes.
func (r *recorder) record(obj api.Object, typ, reason, component, msg string) {
	n := r.note(obj, typ, reason, component, msg)
	if n.name != "" {
		if _, err := r.e.store.GuaranteedUpdateShared("events", n.ns, n.name, r.bump); err == nil {
			return
		}
	}
	ev := r.newEvent(n)
	if _, err := r.e.create(ev, CreateOptions{}); err == nil {
		r.remember(n.key, ev.Name)
	}
}

// recordAll records many events in one store transaction (the scheduler
// records one per binding). Repeats of events seen before are recorded
// one at a time, as record does.
func (r *recorder) recordAll(notes []*note) {
	ops := make([]store.Op, 0, len(notes))
	created := make([]*note, 0, len(notes))
	names := make([]string, 0, len(notes))
	for _, n := range notes {
		if n.name != "" {
			r.record(n.obj, n.typ, n.reason, n.component, n.msg)
			continue
		}
		ev := r.newEvent(n)
		op, err := r.e.createOp(ev)
		if err != nil {
			continue
		}
		ops, created, names = append(ops, op), append(created, n), append(names, ev.Name)
	}
	for i, res := range r.e.store.Apply(ops) {
		if res.Err == nil && !created[i].once {
			r.remember(created[i].key, names[i])
		}
	}
}

// queue hands notes to the writer goroutine (see start), as client-go's
// recorder hands events to its broadcaster: the scheduler goes on binding
// while the events of its last burst are written, on the other core.
// Nothing is dropped: queue waits when the writer is behind, and the writer
// runs until every controller has ended (Engine.Close stops it after).
func (r *recorder) queue(notes []*note) {
	if len(notes) > 0 {
		r.queued <- notes
	}
}

// start starts the writer goroutine: it writes queued notes, the queued
// batches of a burst in one transaction, until stop.
func (r *recorder) start() {
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		for notes := range r.queued {
			r.recordAll(r.gather(notes))
		}
	}()
}

// stop writes what is queued and ends the writer. The controllers, which
// queue, must have ended: a writer that stopped with the engine's context
// instead could lose a burst queued just after it (CI once missed a
// Scheduled event so).
func (r *recorder) stop() {
	if r.done == nil {
		return
	}
	close(r.queued)
	<-r.done
	r.done = nil
}

// gather appends the batches already queued behind notes, up to
// maxBindBatch notes.
func (r *recorder) gather(notes []*note) []*note {
	for len(notes) < maxBindBatch {
		select {
		case more, ok := <-r.queued:
			if !ok {
				return notes
			}
			notes = append(notes, more...)
		default:
			return notes
		}
	}
	return notes
}

func (r *recorder) bump(cur api.Object) (api.Object, error) {
	ev := cur.(*api.Event)
	ev.Count++
	ev.LastTimestamp = r.e.now()
	return ev, nil
}

func (r *recorder) newEvent(n *note) *api.Event {
	now := r.e.now()
	return &api.Event{
		ObjectMeta:     api.ObjectMeta{Namespace: n.ns, Name: fmt.Sprintf("%s.%x", n.ref.Name, r.nanos())},
		InvolvedObject: n.ref, Reason: n.reason, Message: n.msg, Type: n.typ, Count: 1,
		Source:         api.EventSource{Component: n.component},
		FirstTimestamp: now, LastTimestamp: now,
	}
}

// nanos is the clock in nanoseconds for an event's name (client-go names
// events "<object>.<hex nanoseconds>"), moved on by one when a batch asks
// twice within the same nanosecond.
func (r *recorder) nanos() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = max(time.Now().UnixNano(), r.last+1)
	return r.last
}

func (r *recorder) remember(key, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) >= maxSeenEvents { // bound the memory: forget, at worst an event repeats
		r.seen = map[string]string{}
	}
	r.seen[key] = name
}

// eventCollector deletes events older than eventTTL.
func (e *Engine) eventCollector(ctx context.Context) {
	e.every(ctx, time.Minute, func() {
		list, _, err := e.store.List("events", store.ListOptions{Shared: true})
		if err != nil {
			return
		}
		cutoff := e.opts.Now().Add(-eventTTL)
		for _, o := range list {
			ev := o.(*api.Event)
			if ev.LastTimestamp.Before(cutoff) {
				e.store.Delete("events", ev.Namespace, ev.Name, ev.UID)
			}
		}
	})
}
