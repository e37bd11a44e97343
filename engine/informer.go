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
// change, like client-go's informer: it lists, watches from the list's
// revision, and when the watch ends (the watcher fell behind, or history
// expired) lists again, synthesising DELETED for objects that vanished
// meanwhile. It returns when ctx ends. handle runs on one goroutine.
func (e *Engine) inform(ctx context.Context, resource string, opts informOptions, handle func(Event)) {
	known := map[string]string{} // key -> uid
	for ctx.Err() == nil {
		rv, err := e.relist(resource, opts, known, handle)
		if err == nil {
			err = e.follow(ctx, resource, opts, rv, known, handle)
		}
		if err != nil && ctx.Err() == nil {
			select { // a store error: do not spin
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

func objectKey(o api.Object) string {
	m := o.GetObjectMeta()
	return m.Namespace + "/" + m.Name
}

func (e *Engine) relist(resource string, opts informOptions, known map[string]string, handle func(Event)) (int64, error) {
	kind, sopts, err := e.listOptions(resource, opts.ListOptions)
	if err != nil {
		return 0, err
	}
	sopts.Shared = opts.Shared
	items, rev, err := e.store.List(kind.Resource, sopts)
	if err != nil {
		return 0, err
	}
	seen := make(map[string]bool, len(items))
	for _, o := range items {
		k := objectKey(o)
		seen[k] = true
		typ := Added
		if _, ok := known[k]; ok {
			typ = Modified
		}
		known[k] = o.GetObjectMeta().UID
		handle(Event{Type: typ, Object: o})
	}
	for k := range known {
		if !seen[k] {
			delete(known, k)
			handle(Event{Type: Deleted, Object: tombstone(resource, k)})
		}
	}
	return rev, nil
}

func (e *Engine) follow(ctx context.Context, resource string, opts informOptions, rev int64, known map[string]string, handle func(Event)) error {
	kind, sopts, err := e.listOptions(resource, opts.ListOptions)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := e.store.Watch(ctx, kind.Resource, store.WatchOptions{
		Namespace: sopts.Namespace, Labels: sopts.Labels, Fields: sopts.Fields,
		ResourceVersion: strconv.FormatInt(rev, 10), Shared: opts.Shared,
	})
	if errors.Is(err, api.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	for ev := range ch {
		k := objectKey(ev.Object)
		if ev.Type == Deleted {
			delete(known, k)
		} else {
			known[k] = ev.Object.GetObjectMeta().UID
		}
		handle(Event{Type: ev.Type, Object: ev.Object})
	}
	return nil
}

// tombstone is a minimal object standing for one that vanished unseen.
func tombstone(resource, key string) api.Object {
	kind, _ := resourceKind(resource)
	o := kind.New()
	m := o.GetObjectMeta()
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			m.Namespace, m.Name = key[:i], key[i+1:]
			break
		}
	}
	return o
}
