package engine

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
)

// informOptions select what an informer sees.
type informOptions struct {
	ListOptions
	// Shared hands the handler the store's own objects instead of private
	// copies: the engine's busiest loops (scheduler, replication manager,
	// simulated kubelet) read every pod change, and copying each object
	// for each of them cost more than all they do with it. A handler of a
	// shared informer must never change an object it gets, nor keep one it
	// changes later; it writes through the store (GuaranteedUpdate gives a
	// private copy to change).
	Shared bool
}

// inform feeds handle with every object of a resource and then every
// change, like client-go's informer (see informTo). It returns when ctx
// ends. handle runs on the caller's goroutine.
func (e *Engine) inform(ctx context.Context, resource string, opts informOptions, handle func(Event)) {
	ch := make(chan []Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.informTo(ctx, resource, opts, ch)
	}()
	defer func() { <-done }()
	for {
		select {
		case evs := <-ch:
			for _, ev := range evs {
				handle(ev)
			}
		case <-ctx.Done():
			return
		}
	}
}

// informTo sends ch every object of a resource and then every change,
// like client-go's informer: it lists, follows the store from the list's
// revision, and when it falls out of the store's history lists again,
// synthesising DELETED for objects that vanished meanwhile. It returns
// when ctx ends.
//
// The events go in batches (a list, or whatever changed since the
// consumer last took a batch): a loop takes a burst with one channel
// operation and one wake-up instead of one per change. While the consumer
// is busy, informTo keeps reading the store into the next batch (a
// queue without bound, as client-go's DeltaFIFO): a busy loop then never
// makes its informer fall out of the store's history and list everything
// again, which cost more than the events it had missed. The consumer owns
// each slice it gets.
func (e *Engine) informTo(ctx context.Context, resource string, opts informOptions, ch chan<- []Event) {
	known := map[objectName]struct{}{} // what was sent and not sent deleted
	for ctx.Err() == nil {
		rv, err := e.relist(ctx, resource, opts, known, ch)
		if err == nil {
			err = e.follow(ctx, resource, opts, rv, known, ch)
		}
		if err != nil && ctx.Err() == nil {
			select { // a store error: do not spin
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// objectName names an object in an informer's bookkeeping. Its strings
// are the object's own: a key costs no allocation, where "namespace/name"
// cost one per event and informer.
type objectName struct{ namespace, name string }

func nameOf(o api.Object) objectName {
	m := o.GetObjectMeta()
	return objectName{m.Namespace, m.Name}
}

func (e *Engine) relist(ctx context.Context, resource string, opts informOptions, known map[objectName]struct{}, ch chan<- []Event) (int64, error) {
	kind, sopts, err := e.listOptions(resource, opts.ListOptions)
	if err != nil {
		return 0, err
	}
	sopts.Shared = opts.Shared
	items, rev, err := e.store.List(kind.Resource, sopts)
	if err != nil {
		return 0, err
	}
	seen := make(map[objectName]struct{}, len(items))
	evs := make([]Event, 0, len(items))
	for _, o := range items {
		k := nameOf(o)
		seen[k] = struct{}{}
		typ := Added
		if _, ok := known[k]; ok {
			typ = Modified
		}
		known[k] = struct{}{}
		evs = append(evs, Event{Type: typ, Object: o})
	}
	for k := range known {
		if _, ok := seen[k]; !ok {
			delete(known, k)
			evs = append(evs, Event{Type: Deleted, Object: tombstone(resource, k)})
		}
	}
	if len(evs) > 0 {
		sendEvents(ctx, ch, evs)
	}
	return rev, nil
}

// follow reads the changes after rev from a store feed (a store watch
// would add a goroutine and a channel hop per change) and sends them to
// ch, until ctx ends or the feed falls out of the store's history (then
// informTo lists again).
func (e *Engine) follow(ctx context.Context, resource string, opts informOptions, rev int64, known map[objectName]struct{}, ch chan<- []Event) error {
	kind, sopts, err := e.listOptions(resource, opts.ListOptions)
	if err != nil {
		return err
	}
	feed, err := e.store.Feed(kind.Resource, store.WatchOptions{
		Namespace: sopts.Namespace, Labels: sopts.Labels, Fields: sopts.Fields,
		ResourceVersion: strconv.FormatInt(rev, 10), Shared: opts.Shared,
	})
	if errors.Is(err, api.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	var read []store.Event
	var out []Event // read, not yet taken by the consumer
	var wake <-chan struct{}
	for {
		if wake == nil { // there may be more to read
			read, wake, err = feed.Next(read[:0])
			if errors.Is(err, api.ErrGone) {
				return nil
			}
			if err != nil {
				return err
			}
			out = track(out, read, known)
			clear(read)
		}
		var send chan<- []Event
		batch := out[:min(len(out), maxEventBatch):min(len(out), maxEventBatch)]
		if len(batch) > 0 {
			send = ch
		}
		if wake == nil { // more to read: hand over a batch only if taken at once
			select {
			case send <- batch:
				out = rest(out, len(batch))
			default:
			}
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		select {
		case send <- batch:
			out = rest(out, len(batch))
		case <-wake:
			wake = nil
		case <-ctx.Done():
			return nil
		}
	}
}

// maxEventBatch bounds the events an informer hands over at once (a list
// goes whole): the loops keep the last batch they took until they take
// the next, and a batch gathered while a loop was busy could hold
// hundreds of thousands.
const maxEventBatch = 1024

// rest drops the first n events of out, which went in a batch.
func rest(out []Event, n int) []Event {
	if n == len(out) {
		return nil
	}
	return out[n:]
}

// track appends the events read to out and notes them in known.
func track(out []Event, read []store.Event, known map[objectName]struct{}) []Event {
	for _, ev := range read {
		if ev.Type == Deleted {
			delete(known, nameOf(ev.Object))
		} else {
			known[nameOf(ev.Object)] = struct{}{}
		}
		out = append(out, Event{Type: ev.Type, Object: ev.Object})
	}
	return out
}

// tombstone is a minimal object standing for one that vanished unseen.
func tombstone(resource string, k objectName) api.Object {
	kind, _ := resourceKind(resource)
	o := kind.New()
	m := o.GetObjectMeta()
	m.Namespace, m.Name = k.namespace, k.name
	return o
}
