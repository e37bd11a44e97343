package engine

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/sched"
	"github.com/minspace/min/engine/store"
)

// schedulerName is the component that reports scheduling events.
const schedulerName = "default-scheduler"

// scheduler places pods without spec.nodeName on nodes. It keeps
// unschedulable pods aside and tries them again whenever a node or a pod
// changes (and every retryUnschedulable), as kube-scheduler's queue does.
// Decisions are taken one pod at a time against the cache (each reserves
// its node at once), and the bindings of a burst are written together.
type scheduler struct {
	e       *Engine
	ctx     context.Context // the engine's: ends when it closes
	cache   *sched.Scheduler
	pending map[objectName]*api.Pod // pod waiting for a node
	queue   []objectName            // pending keys to try, in arrival order
	failed  map[objectName]string   // pod -> last FailedScheduling message
	nodeRV  map[string]string       // node -> resourceVersion the cache holds
	binds   []binding               // decisions not yet written
}

// binding is a decision waiting for its write.
type binding struct {
	key  objectName
	pod  *api.Pod
	node string
}

const retryUnschedulable = 10 * time.Second

// maxBindBatch bounds how many bindings one store transaction writes, so
// that the first pods of a burst do not wait for the last.
const maxBindBatch = 512

func (e *Engine) schedulerLoop(ctx context.Context) {
	s := &scheduler{e: e, ctx: ctx, cache: e.sched, pending: map[objectName]*api.Pod{}, failed: map[objectName]string{},
		nodeRV: map[string]string{}}
	events, nodeEvents := make(chan []Event, eventBatches), make(chan []Event, eventBatches)
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "pods", informOptions{Shared: true}, events)
	})
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "nodes", informOptions{Shared: true}, nodeEvents)
	})
	retry := time.NewTicker(retryUnschedulable)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case evs := <-nodeEvents:
			s.nodesChanged(evs)
		case evs := <-events:
			s.podsChanged(evs)
		case <-retry.C:
			s.retryAll()
		}
		s.drain(events, nodeEvents)
	}
}

// schedulerNodes is how many nodes the scheduler can place pods on.
func (e *Engine) schedulerNodes() int { return e.sched.NumNodes() }

func sendEvent(ctx context.Context, ch chan<- Event, ev Event) {
	select {
	case ch <- ev:
	case <-ctx.Done():
	}
}

// eventBatches is how many batches of events (see informTo) a loop's
// channel holds: one, so that the events that arrive while a loop is busy
// gather in its informer's next batch rather than in many small ones.
const eventBatches = 1

func sendEvents(ctx context.Context, ch chan<- []Event, evs []Event) {
	select {
	case ch <- evs:
	case <-ctx.Done():
	}
}

// drain handles the events already queued and the pods they made
// pending, so that a burst of creations is taken in few passes with few
// writes.
func (s *scheduler) drain(events, nodeEvents <-chan []Event) {
	for {
		select {
		case evs := <-events:
			s.podsChanged(evs)
			continue
		case evs := <-nodeEvents:
			s.nodesChanged(evs)
			continue
		default:
		}
		if len(s.queue) == 0 {
			s.bindAll()
			return
		}
		s.scheduleQueued()
	}
}

func (s *scheduler) nodesChanged(evs []Event) {
	for _, ev := range evs {
		s.nodeChanged(ev)
	}
	s.retryAll()
}

func (s *scheduler) podsChanged(evs []Event) {
	for _, ev := range evs {
		s.podChanged(ev)
	}
}

func (s *scheduler) nodeChanged(ev Event) {
	n := ev.Object.(*api.Node)
	if ev.Type == Deleted {
		s.cache.RemoveNode(n)
		delete(s.nodeRV, n.Name)
		return
	}
	s.setNode(n)
}

func (s *scheduler) setNode(n *api.Node) {
	s.cache.AddNode(n)
	s.nodeRV[n.Name] = n.ResourceVersion
}

// nodeIsCurrent checks the chosen node against the store: the node watch
// may lag behind the pod watch (a cordon just before a drain), and a pod
// must not land on a node by a decision made on its old state. A stale
// node is refreshed in the cache.
func (s *scheduler) nodeIsCurrent(name string) bool {
	o, err := s.e.store.GetShared("nodes", "", name)
	if err != nil {
		s.cache.RemoveNode(&api.Node{ObjectMeta: api.ObjectMeta{Name: name}})
		delete(s.nodeRV, name)
		return false
	}
	if o.GetObjectMeta().ResourceVersion == s.nodeRV[name] {
		return true
	}
	s.setNode(o.(*api.Node))
	return false
}

func (s *scheduler) podChanged(ev Event) {
	p := ev.Object.(*api.Pod)
	key := nameOf(p)
	if ev.Type == Deleted {
		s.cache.RemovePod(p)
		delete(s.pending, key)
		delete(s.failed, key)
		return
	}
	if p.Spec.NodeName != "" {
		s.cache.UpdatePod(p)
		delete(s.pending, key)
		delete(s.failed, key)
		return
	}
	if p.DeletionTimestamp != nil {
		delete(s.pending, key)
		return
	}
	s.pending[key] = p
	s.queue = append(s.queue, key) // a key queued twice is tried twice, harmlessly
}

func (s *scheduler) retryAll() {
	for key := range s.pending {
		s.queue = append(s.queue, key)
	}
}

// scheduleQueued decides for the queued pods, up to one batch of
// bindings, and writes the batch when it is full.
func (s *scheduler) scheduleQueued() {
	n := 0
	for ; n < len(s.queue) && len(s.binds) < maxBindBatch; n++ {
		key := s.queue[n]
		if p := s.pending[key]; p != nil {
			s.schedule(key, p)
		}
	}
	s.queue = s.queue[n:]
	if len(s.queue) == 0 {
		s.queue = nil // let a burst's backing array go
	}
	if len(s.binds) >= maxBindBatch {
		s.bindAll()
	}
}

// schedule tries one pod: pick a node and reserve it in the cache; the
// binding is written by bindAll.
func (s *scheduler) schedule(key objectName, p *api.Pod) {
	node, err := s.cache.ScheduleAndAssume(p)
	for try := 0; err == nil && !s.nodeIsCurrent(node) && try < 3; try++ {
		s.cache.Forget(p)
		node, err = s.cache.ScheduleAndAssume(p)
	}
	if errors.Is(err, sched.ErrBound) {
		return
	}
	if err != nil {
		s.unschedulable(key, p, err.Error())
		return
	}
	s.binds = append(s.binds, binding{key: key, pod: p, node: node})
}

// bindAll writes the pending decisions with a compare-and-set on
// spec.nodeName each, in one store transaction, and queues their
// Scheduled events for the recorder, which writes them in another.
func (s *scheduler) bindAll() {
	if len(s.binds) == 0 {
		return
	}
	ops := make([]store.Op, len(s.binds))
	for i, b := range s.binds {
		ops[i] = s.e.bindOp(b.pod, b.node)
	}
	notes := make([]*note, 0, len(s.binds))
	for i, res := range s.e.store.Apply(ops) {
		b := s.binds[i]
		if res.Err != nil {
			s.cache.Forget(b.pod)
			continue
		}
		delete(s.pending, b.key)
		delete(s.failed, b.key)
		notes = append(notes, s.e.events.once(res.Object, "Normal", "Scheduled", schedulerName,
			"Successfully assigned "+b.pod.Namespace+"/"+b.pod.Name+" to "+b.node))
	}
	clear(s.binds)
	s.binds = s.binds[:0]
	s.e.events.queue(notes)
}

// unschedulable records why a pod fits nowhere, once per distinct message.
func (s *scheduler) unschedulable(key objectName, p *api.Pod, msg string) {
	if s.failed[key] == msg {
		return
	}
	s.failed[key] = msg
	out, err := s.e.updateStatus("pods", p.Namespace, p.Name, func(o api.Object) bool {
		cur := o.(*api.Pod)
		if cur.UID != p.UID || cur.Spec.NodeName != "" {
			return false
		}
		return setPodCondition(&cur.Status, api.PodCondition{Type: "PodScheduled", Status: "False",
			Reason: "Unschedulable", Message: msg}, s.e.now())
	})
	if err == nil {
		s.e.events.record(out, "Warning", "FailedScheduling", schedulerName, msg)
	}
}

// bindOp sets spec.nodeName if the pod is still the same, unbound pod.
func (e *Engine) bindOp(p *api.Pod, node string) store.Op {
	return store.Op{Resource: "pods", Namespace: p.Namespace, Name: p.Name, Shared: true, Update: func(o api.Object) (api.Object, error) {
		cur := o.(*api.Pod) // the stored pod: read only
		if cur.UID != p.UID || cur.Spec.NodeName != "" || cur.DeletionTimestamp != nil {
			return nil, api.NewConflict("pods", p.Name, "pod is already bound or was replaced")
		}
		next := *cur // shares all but what it replaces below
		next.Spec.NodeName = node
		next.Status.Conditions = slices.Clone(cur.Status.Conditions) // setPodCondition writes in place
		setPodCondition(&next.Status, api.PodCondition{Type: "PodScheduled", Status: "True"}, e.now())
		return &next, nil
	}}
}

// setPodCondition adds or replaces a condition; it reports whether
// anything changed. The transition time moves only when the status does.
func setPodCondition(st *api.PodStatus, c api.PodCondition, now api.Time) bool {
	for i := range st.Conditions {
		old := &st.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return false
		}
		c.LastTransitionTime = old.LastTransitionTime
		if old.Status != c.Status {
			c.LastTransitionTime = now
		}
		*old = c
		return true
	}
	c.LastTransitionTime = now
	st.Conditions = append(st.Conditions, c)
	return true
}
