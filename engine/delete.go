package engine

import (
	"context"
	"time"

	"github.com/minspace/min/engine/api"
)

// Delete implements Interface.
func (e *Engine) Delete(ctx context.Context, resource, namespace, name string, opts DeleteOptions) (api.Object, error) {
	kind, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	if !kind.Namespaced {
		namespace = ""
	} else if namespace == "" {
		namespace = "default"
	}
	cur, err := e.store.Get(kind.Resource, namespace, name)
	if err != nil {
		return nil, err
	}
	if opts.PreconditionUID != "" && opts.PreconditionUID != cur.GetObjectMeta().UID {
		return nil, api.NewConflict(kind.Resource, name, "Precondition failed: UID in precondition: "+
			opts.PreconditionUID+", UID in object meta: "+cur.GetObjectMeta().UID)
	}
	switch o := cur.(type) {
	case *api.Namespace:
		return e.deleteNamespace(o, opts)
	case *api.Pod:
		return e.deletePod(o, opts)
	case *api.ReplicationController:
		return e.deleteRC(ctx, o, opts)
	}
	if opts.DryRun {
		return cur, nil
	}
	out, err := e.store.Delete(kind.Resource, namespace, name, cur.GetObjectMeta().UID)
	if n, ok := out.(*api.Node); ok && err == nil {
		e.releasePodCIDR(n)
	}
	return out, err
}

// deletePod removes a pod at once when nothing runs it (unscheduled,
// finished, grace 0, or no agent owns its node); otherwise it marks the
// pod with deletionTimestamp and the node agent stops its containers
// within the grace period and then removes it.
func (e *Engine) deletePod(p *api.Pod, opts DeleteOptions) (api.Object, error) {
	grace := int64(30)
	if p.Spec.TerminationGracePeriodSeconds != nil {
		grace = *p.Spec.TerminationGracePeriodSeconds
	}
	if opts.GracePeriodSeconds != nil {
		grace = *opts.GracePeriodSeconds
	}
	if grace < 0 {
		grace = 1
	}
	terminal := p.Status.Phase == "Succeeded" || p.Status.Phase == "Failed"
	if p.Spec.NodeName == "" || terminal || !e.nodeHasAgent(p.Spec.NodeName) {
		grace = 0
	}
	if opts.DryRun {
		return p, nil
	}
	if grace == 0 {
		return e.store.Delete("pods", p.Namespace, p.Name, p.UID)
	}
	if p.DeletionTimestamp != nil { // already terminating: a shorter grace may hurry it
		if p.DeletionGracePeriodSeconds != nil && grace >= *p.DeletionGracePeriodSeconds {
			return p, nil
		}
	}
	return e.store.GuaranteedUpdate("pods", p.Namespace, p.Name, func(cur api.Object) (api.Object, error) {
		m := cur.GetObjectMeta()
		at := api.NewTime(e.opts.Now().Add(time.Duration(grace) * time.Second))
		m.DeletionTimestamp, m.DeletionGracePeriodSeconds = &at, &grace
		if m.Generation > 0 {
			m.Generation++
		}
		return cur, nil
	})
}

// deleteRC deletes a replication controller and, unless orphaning was
// asked for, its pods (the garbage collector's work in Kubernetes).
func (e *Engine) deleteRC(ctx context.Context, rc *api.ReplicationController, opts DeleteOptions) (api.Object, error) {
	if opts.DryRun {
		return rc, nil
	}
	orphan := opts.PropagationPolicy == PropagationOrphan
	if orphan { // release the pods first, so nothing takes them for garbage
		e.orphaned.Store(rc.UID, true)
		e.collectDependents(ctx, rc.Namespace, rc.UID, true)
	}
	out, err := e.store.Delete("replicationcontrollers", rc.Namespace, rc.Name, rc.UID)
	if err != nil {
		return nil, err
	}
	if !orphan {
		e.collectDependents(ctx, rc.Namespace, rc.UID, false)
	}
	return out, nil
}

// collectDependents deletes (or orphans) the pods owned by uid.
func (e *Engine) collectDependents(ctx context.Context, namespace, uid string, orphan bool) {
	pods, _, err := e.store.List("pods", storeNamespace(namespace))
	if err != nil {
		return
	}
	for _, o := range pods {
		p := o.(*api.Pod)
		if !ownedBy(&p.ObjectMeta, uid) {
			continue
		}
		if orphan {
			e.store.GuaranteedUpdate("pods", p.Namespace, p.Name, func(cur api.Object) (api.Object, error) {
				m := cur.GetObjectMeta()
				m.OwnerReferences = withoutOwner(m.OwnerReferences, uid)
				return cur, nil
			})
			continue
		}
		e.Delete(ctx, "pods", p.Namespace, p.Name, DeleteOptions{})
	}
}

func ownedBy(m *api.ObjectMeta, uid string) bool {
	for _, r := range m.OwnerReferences {
		if r.UID == uid {
			return true
		}
	}
	return false
}

func withoutOwner(refs []api.OwnerReference, uid string) []api.OwnerReference {
	var out []api.OwnerReference
	for _, r := range refs {
		if r.UID != uid {
			out = append(out, r)
		}
	}
	return out
}
