package cluster

import (
	"context"
	"errors"

	"github.com/minspace/min/engine/api"
)

// WaitFor blocks until cond holds for the named object (cond gets nil once
// the object is gone), or ctx ends. It lists first and then watches from
// that revision, so no change in between is missed.
func WaitFor(ctx context.Context, c Interface, resource, namespace, name string, cond func(api.Object) bool) (api.Object, error) {
	for {
		if ctx.Err() != nil {
			return nil, api.NewTimeout("timed out waiting for " + resource + " \"" + name + "\": " + ctx.Err().Error())
		}
		obj, err := c.Get(ctx, resource, namespace, name)
		if err != nil && !errors.Is(err, api.ErrNotFound) {
			return nil, err
		}
		if err != nil {
			obj = nil
		}
		if cond(obj) {
			return obj, nil
		}
		rv := ""
		if obj != nil {
			rv = obj.GetObjectMeta().ResourceVersion
		}
		done, last, err := watchUntil(ctx, c, resource, namespace, name, rv, cond)
		if err != nil || done {
			return last, err
		}
	}
}

// watchUntil follows one watch; it returns done=false when the watch closed
// early (fell behind, or history expired) so that the caller starts again.
func watchUntil(ctx context.Context, c Interface, resource, namespace, name, rv string, cond func(api.Object) bool) (bool, api.Object, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the watch when the wait is over
	ch, err := c.Watch(ctx, resource, ListOptions{Namespace: namespace, FieldSelector: "metadata.name=" + name, ResourceVersion: rv})
	if errors.Is(err, api.ErrGone) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	for {
		select {
		case <-ctx.Done():
			return true, nil, api.NewTimeout("timed out waiting for " + resource + " \"" + name + "\": " + ctx.Err().Error())
		case ev, ok := <-ch:
			if !ok {
				if ctx.Err() != nil {
					continue // reported by the ctx.Done case
				}
				return false, nil, nil
			}
			obj := ev.Object
			if ev.Type == Deleted {
				obj = nil
			}
			if cond(obj) {
				return true, obj, nil
			}
		}
	}
}
