package bindings

import (
	"context"
	"errors"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
)

// waitFor blocks until cond holds for the named object (cond gets nil once
// it is gone) or ctx ends: a Get, then a watch from the revision read, again
// whenever the watch ends early. It is engine.WaitFor with a check of ctx
// on every round, so that a cancelled run never spins on a watch that keeps
// failing at once.
func waitFor(ctx context.Context, c engine.Interface, resource, ns, name string, cond func(api.Object) bool) (api.Object, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, api.NewTimeout("timed out waiting for " + resource + " \"" + name + "\": " + err.Error())
		}
		obj, err := c.Get(ctx, resource, ns, name)
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
		if done, last, err := watchUntil(ctx, c, resource, ns, name, rv, cond); err != nil || done {
			return last, err
		}
	}
}

func watchUntil(ctx context.Context, c engine.Interface, resource, ns, name, rv string, cond func(api.Object) bool) (bool, api.Object, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the watch
	ch, err := c.Watch(ctx, resource, engine.ListOptions{Namespace: ns, FieldSelector: "metadata.name=" + name, ResourceVersion: rv})
	if errors.Is(err, api.ErrGone) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	for {
		select {
		case <-ctx.Done():
			return false, nil, nil // reported by waitFor's check
		case ev, ok := <-ch:
			if !ok {
				return false, nil, nil
			}
			obj := ev.Object
			if ev.Type == engine.Deleted {
				obj = nil
			}
			if cond(obj) {
				return true, obj, nil
			}
		}
	}
}
