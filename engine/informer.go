package engine

import (
	"context"
	"errors"
	"time"

	"github.com/minspace/min/engine/api"
)

// inform feeds handle with every object of a resource and then every
// change, like client-go's informer: it lists, watches from the list's
// revision, and when the watch ends (the watcher fell behind, or history
// expired) lists again, synthesising DELETED for objects that vanished
// meanwhile. It returns when ctx ends. handle runs on one goroutine.
func (e *Engine) inform(ctx context.Context, resource string, opts ListOptions, handle func(Event)) {
	known := map[string]string{} // key -> uid
	for ctx.Err() == nil {
		rv, err := e.relist(ctx, resource, opts, known, handle)
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

func (e *Engine) relist(ctx context.Context, resource string, opts ListOptions, known map[string]string, handle func(Event)) (string, error) {
	list, err := e.List(ctx, resource, opts)
	if err != nil {
		return "", err
	}
	seen := make(map[string]bool, len(list.Items))
	for _, o := range list.Items {
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
	return list.ResourceVersion, nil
}

func (e *Engine) follow(ctx context.Context, resource string, opts ListOptions, rv string, known map[string]string, handle func(Event)) error {
	wopts := opts
	wopts.ResourceVersion = rv
	ch, err := e.Watch(ctx, resource, wopts)
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
		handle(ev)
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
