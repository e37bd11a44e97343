package engine

import (
	"context"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
)

// namespaceTerminatingText is the apiserver's answer to deleting a
// namespace twice (two spaces after the first period, as upstream).
const namespaceTerminatingText = "The system is ensuring all content is removed from this namespace.  " +
	"Upon completion, this namespace will automatically be purged by the system."

// deleteNamespace marks a namespace Terminating; the namespace controller
// then deletes its content and finally the namespace itself.
func (e *Engine) deleteNamespace(ns *api.Namespace, opts DeleteOptions) (api.Object, error) {
	if immortal(ns.Name) {
		return nil, api.NewForbidden("namespaces", ns.Name, "this namespace may not be deleted")
	}
	if ns.Status.Phase == "Terminating" {
		return nil, api.NewConflict("namespaces", ns.Name, namespaceTerminatingText)
	}
	if opts.DryRun {
		return ns, nil
	}
	out, err := e.store.GuaranteedUpdate("namespaces", "", ns.Name, func(cur api.Object) (api.Object, error) {
		n := cur.(*api.Namespace)
		now := e.now()
		n.DeletionTimestamp = &now
		n.Status.Phase = "Terminating"
		return n, nil
	})
	if err != nil {
		return nil, err
	}
	e.kickNamespaces()
	return out, nil
}

func (e *Engine) kickNamespaces() {
	select {
	case e.nsKick <- struct{}{}:
	default:
	}
}

// namespaceController finishes terminating namespaces: it deletes every
// namespaced object in them, waits until they are gone, then removes the
// namespace.
func (e *Engine) namespaceController(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		e.finishTerminatingNamespaces(ctx)
		select {
		case <-ctx.Done():
			return
		case <-e.nsKick:
		case <-tick.C:
		}
	}
}

func (e *Engine) finishTerminatingNamespaces(ctx context.Context) {
	all, _, err := e.store.List("namespaces", store.ListOptions{})
	if err != nil {
		return
	}
	for _, o := range all {
		ns := o.(*api.Namespace)
		if ns.Status.Phase != "Terminating" {
			continue
		}
		if e.deleteContent(ctx, ns.Name) == 0 {
			e.store.Delete("namespaces", "", ns.Name, ns.UID)
		} else {
			// Pods on nodes go gracefully; look again soon.
			time.AfterFunc(100*time.Millisecond, e.kickNamespaces)
		}
	}
}

// deleteContent deletes every namespaced object in ns and returns how many
// were still there.
func (e *Engine) deleteContent(ctx context.Context, ns string) int {
	left := 0
	for _, k := range api.Kinds {
		if !k.Namespaced {
			continue
		}
		items, _, err := e.store.List(k.Resource, storeNamespace(ns))
		if err != nil {
			left++
			continue
		}
		for _, o := range items {
			left++
			m := o.GetObjectMeta()
			if m.DeletionTimestamp == nil {
				e.Delete(ctx, k.Resource, ns, m.Name, DeleteOptions{})
			}
		}
	}
	return left
}

func storeNamespace(ns string) store.ListOptions { return store.ListOptions{Namespace: ns} }
