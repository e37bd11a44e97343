package engine

import (
	"context"
	"reflect"
	"strconv"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/controller"
	"github.com/minspace/min/engine/store"
)

// replicationManager keeps every ReplicationController at spec.replicas.
// It caches RCs and pods from two informers, marks an RC dirty when it or
// a pod of its namespace changes, and reconciles dirty RCs after draining
// the queued events, so that a burst of changes costs one pass.
type replicationManager struct {
	e     *Engine
	rcs   map[string]*api.ReplicationController // namespace/name
	pods  map[string]map[string]*api.Pod        // namespace -> name -> pod
	dirty map[string]bool                       // RC keys
}

func (e *Engine) replicationLoop(ctx context.Context) {
	m := &replicationManager{e: e, rcs: map[string]*api.ReplicationController{},
		pods: map[string]map[string]*api.Pod{}, dirty: map[string]bool{}}
	rcEvents, podEvents := make(chan []Event, eventBatches), make(chan []Event, eventBatches)
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "replicationcontrollers", informOptions{Shared: true}, rcEvents)
	})
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "pods", informOptions{Shared: true}, podEvents)
	})
	requeue := time.NewTimer(time.Hour)
	defer requeue.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case evs := <-rcEvents:
			m.rcsChanged(ctx, evs)
		case evs := <-podEvents:
			m.podsChanged(ctx, evs)
		case <-requeue.C:
			for k := range m.rcs {
				m.dirty[k] = true
			}
		}
	drain:
		for {
			select {
			case evs := <-rcEvents:
				m.rcsChanged(ctx, evs)
			case evs := <-podEvents:
				m.podsChanged(ctx, evs)
			default:
				break drain
			}
		}
		if after := m.syncDirty(ctx); after > 0 {
			requeue.Reset(after)
		}
	}
}

func (m *replicationManager) rcsChanged(ctx context.Context, evs []Event) {
	for _, ev := range evs {
		m.rcChanged(ctx, ev)
	}
}

func (m *replicationManager) podsChanged(ctx context.Context, evs []Event) {
	for _, ev := range evs {
		m.podChanged(ctx, ev)
	}
}

func (m *replicationManager) rcChanged(ctx context.Context, ev Event) {
	rc := ev.Object.(*api.ReplicationController)
	key := rc.Namespace + "/" + rc.Name
	if ev.Type != Deleted && m.pods[rc.Namespace] == nil {
		m.loadNamespace(ctx, rc.Namespace)
	}
	if ev.Type == Deleted {
		delete(m.rcs, key)
		delete(m.dirty, key)
		for _, p := range m.pods[rc.Namespace] { // pods it created while being deleted
			m.collectIfOrphaned(context.Background(), p)
		}
		return
	}
	m.rcs[key] = rc
	m.dirty[key] = true
}

func (m *replicationManager) podChanged(ctx context.Context, ev Event) {
	p := ev.Object.(*api.Pod)
	if m.pods[p.Namespace] == nil && len(p.OwnerReferences) == 0 {
		return // no RC in its namespace yet: loadNamespace reads it when one comes
	}
	m.setPod(p, ev.Type == Deleted)
	if ev.Type != Deleted {
		m.collectIfOrphaned(ctx, p)
	}
	for key, rc := range m.rcs {
		if rc.Namespace == p.Namespace {
			m.dirty[key] = true
		}
	}
}

// loadNamespace starts caching the pods of a namespace that got its first
// RC. Pods of namespaces without RCs are not kept: a cluster of 100,000
// bare pods costs this manager nothing.
func (m *replicationManager) loadNamespace(ctx context.Context, ns string) {
	m.pods[ns] = map[string]*api.Pod{}
	list, err := m.e.List(ctx, "pods", ListOptions{Namespace: ns})
	if err != nil {
		return
	}
	for _, o := range list.Items {
		m.setPod(o.(*api.Pod), false)
	}
}

func (m *replicationManager) setPod(p *api.Pod, gone bool) {
	ns := m.pods[p.Namespace]
	if ns == nil {
		ns = map[string]*api.Pod{}
		m.pods[p.Namespace] = ns
	}
	if gone {
		delete(ns, p.Name)
		return
	}
	if old := ns[p.Name]; old != nil && old.UID == p.UID && revision(old) > revision(p) {
		return // a queued event older than what loadNamespace read
	}
	ns[p.Name] = p
}

// revision is an object's resourceVersion as a number (Min's store counts
// them; 0 when unset).
func revision(o api.Object) int64 {
	n, _ := strconv.ParseInt(o.GetObjectMeta().ResourceVersion, 10, 64)
	return n
}

// syncDirty reconciles the dirty RCs; it returns when one wants a look
// again without any event (minReadySeconds), or 0.
func (m *replicationManager) syncDirty(ctx context.Context) time.Duration {
	var after time.Duration
	for key := range m.dirty {
		delete(m.dirty, key)
		rc := m.rcs[key]
		if rc == nil {
			continue
		}
		if d := m.sync(ctx, rc); d > 0 && (after == 0 || d < after) {
			after = d
		}
	}
	return after
}

func (m *replicationManager) sync(ctx context.Context, rc *api.ReplicationController) time.Duration {
	ns := m.pods[rc.Namespace]
	pods := make([]*api.Pod, 0, len(ns))
	for _, p := range ns {
		pods = append(pods, p)
	}
	plan := controller.ReconcileRCAt(rc, pods, m.e.opts.Now())
	for _, p := range plan.Adopt {
		m.setOwner(rc, p, true)
	}
	for _, p := range plan.Release {
		m.setOwner(rc, p, false)
	}
	m.createPods(rc, plan.Create)
	for _, p := range plan.Delete {
		if out, err := m.e.Delete(ctx, "pods", p.Namespace, p.Name, DeleteOptions{PreconditionUID: p.UID}); err == nil {
			m.setPod(out.(*api.Pod), out.GetObjectMeta().DeletionTimestamp == nil)
			m.e.events.record(rc, "Normal", "SuccessfulDelete", "replication-controller", "Deleted pod: "+p.Name)
		}
	}
	m.writeStatus(rc, plan.Status)
	return plan.RequeueAfter
}

// createPods creates n pods from rc's template in batches of growing size,
// as Kubernetes' slowStartBatch does (1, 2, 4… pods): a template that
// cannot be created fails once, not n times, while a large scale-up costs
// few store transactions. Each created pod has its SuccessfulCreate event.
func (m *replicationManager) createPods(rc *api.ReplicationController, n int) {
	for size := 1; n > 0; size = min(2*size, maxCreateBatch) {
		batch := min(size, n)
		n -= batch
		if !m.createBatch(rc, batch) {
			return
		}
	}
}

// maxCreateBatch bounds the pods one store transaction creates.
const maxCreateBatch = 512

// createBatch creates n pods in one transaction; false when one failed.
func (m *replicationManager) createBatch(rc *api.ReplicationController, n int) bool {
	ops := make([]store.Op, 0, n)
	for range n {
		op, err := m.e.createOp(controller.NewPodFromTemplate(rc))
		if err != nil {
			m.failedCreate(rc, err)
			return false
		}
		ops = append(ops, op)
	}
	notes := make([]*note, 0, n)
	ok := true
	for i, res := range m.e.store.Apply(ops) {
		out, err := res.Object, res.Err
		if isAlreadyExists(err) { // a generated name taken: create tries others
			pod := ops[i].Create.(*api.Pod)
			pod.Name, pod.ResourceVersion = "", ""
			out, err = m.e.create(pod, CreateOptions{})
		}
		if err != nil {
			if ok {
				m.failedCreate(rc, err)
			}
			ok = false
			continue
		}
		m.setPod(out.(*api.Pod), false) // seen at once, so the next pass does not create it again
		notes = append(notes, m.e.events.note(rc, "Normal", "SuccessfulCreate", "replication-controller",
			"Created pod: "+out.GetObjectMeta().Name))
	}
	m.e.events.recordAll(notes)
	return ok
}

func (m *replicationManager) failedCreate(rc *api.ReplicationController, err error) {
	m.e.events.record(rc, "Warning", "FailedCreate", "replication-controller", "Error creating: "+err.Error())
}

// setOwner adopts (own=true) or releases a pod with a compare-and-set on
// its uid, so a pod replaced meanwhile is left alone.
func (m *replicationManager) setOwner(rc *api.ReplicationController, p *api.Pod, own bool) {
	out, err := m.e.store.GuaranteedUpdate("pods", p.Namespace, p.Name, func(o api.Object) (api.Object, error) {
		cur := o.(*api.Pod)
		changed := false
		if _, gone := m.e.orphaned.Load(rc.UID); own && gone {
			// Checked inside the pod's own write, so an adoption can never
			// land after an orphaning delete released this pod.
			return nil, errUnchanged
		}
		if cur.UID == p.UID && own {
			changed = controller.SetControllerRef(cur, rc)
		} else if cur.UID == p.UID {
			changed = controller.RemoveControllerRef(cur, rc)
		}
		if !changed {
			return nil, errUnchanged
		}
		return cur, nil
	})
	if err == nil {
		m.setPod(out.(*api.Pod), false)
	}
}

func (m *replicationManager) writeStatus(rc *api.ReplicationController, st api.ReplicationControllerStatus) {
	if reflect.DeepEqual(rc.Status, st) {
		return
	}
	out, err := m.e.updateStatus("replicationcontrollers", rc.Namespace, rc.Name, func(o api.Object) bool {
		cur := o.(*api.ReplicationController)
		if cur.UID != rc.UID || reflect.DeepEqual(cur.Status, st) {
			return false
		}
		cur.Status = st
		return true
	})
	if err == nil {
		m.rcs[rc.Namespace+"/"+rc.Name] = out.(*api.ReplicationController)
	}
}

// collectIfOrphaned deletes a pod whose controlling RC is gone, as
// Kubernetes' garbage collector does: it catches pods that an RC created
// while it was being deleted.
func (m *replicationManager) collectIfOrphaned(ctx context.Context, p *api.Pod) {
	var ref *api.OwnerReference
	for i := range p.OwnerReferences {
		r := &p.OwnerReferences[i]
		if r.Kind == "ReplicationController" && r.Controller != nil && *r.Controller {
			ref = r
		}
	}
	if ref == nil || p.DeletionTimestamp != nil {
		return
	}
	for _, rc := range m.rcs {
		if rc.UID == ref.UID {
			return
		}
	}
	owner, err := m.e.store.Get("replicationcontrollers", p.Namespace, ref.Name)
	if err == nil && owner.GetObjectMeta().UID == ref.UID {
		return
	}
	if err != nil && api.ReasonOf(err) != api.ReasonNotFound {
		return
	}
	// Our copy may be stale (an orphaning delete released the pod): look
	// at the stored pod before deleting it.
	cur, err := m.e.store.Get("pods", p.Namespace, p.Name)
	if err != nil || cur.GetObjectMeta().UID != p.UID || !ownedBy(cur.GetObjectMeta(), ref.UID) {
		return
	}
	if _, orphan := m.e.orphaned.Load(ref.UID); orphan {
		m.setOwner(&api.ReplicationController{ObjectMeta: api.ObjectMeta{UID: ref.UID}}, p, false)
		return
	}
	m.e.Delete(ctx, "pods", p.Namespace, p.Name, DeleteOptions{PreconditionUID: p.UID})
}
