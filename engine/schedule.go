package engine

import (
	"context"
	"errors"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/sched"
)

// schedulerName is the component that reports scheduling events.
const schedulerName = "default-scheduler"

// scheduler places pods without spec.nodeName on nodes. It keeps
// unschedulable pods aside and tries them again whenever a node or a pod
// changes (and every retryUnschedulable), as kube-scheduler's queue does.
type scheduler struct {
	e       *Engine
	cache   *sched.Scheduler
	pending map[string]*api.Pod // namespace/name -> pod waiting for a node
	failed  map[string]string   // namespace/name -> last FailedScheduling message
	nodeRV  map[string]string   // node -> resourceVersion the cache holds
}

const retryUnschedulable = 10 * time.Second

func (e *Engine) schedulerLoop(ctx context.Context) {
	s := &scheduler{e: e, cache: sched.New(sched.Options{}), pending: map[string]*api.Pod{}, failed: map[string]string{},
		nodeRV: map[string]string{}}
	events := make(chan Event, 1024)
	nodeEvents := make(chan Event, 1024)
	e.run(func(ctx context.Context) {
		e.inform(ctx, "pods", ListOptions{}, func(ev Event) { sendEvent(ctx, events, ev) })
	})
	e.run(func(ctx context.Context) {
		e.inform(ctx, "nodes", ListOptions{}, func(ev Event) { sendEvent(ctx, nodeEvents, ev) })
	})
	retry := time.NewTicker(retryUnschedulable)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-nodeEvents:
			s.nodeChanged(ev)
			s.retryAll()
		case ev := <-events:
			s.podChanged(ev)
			s.drain(events, nodeEvents)
		case <-retry.C:
			s.retryAll()
		}
	}
}

func sendEvent(ctx context.Context, ch chan<- Event, ev Event) {
	select {
	case ch <- ev:
	case <-ctx.Done():
	}
}

// drain handles the pod events already queued before scheduling, so that a
// burst of creations is taken in one pass.
func (s *scheduler) drain(events, nodeEvents <-chan Event) {
	for {
		select {
		case ev := <-events:
			s.podChanged(ev)
		case ev := <-nodeEvents:
			s.nodeChanged(ev)
			s.retryAll()
		default:
			return
		}
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
	o, err := s.e.store.Get("nodes", "", name)
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
	key := p.Namespace + "/" + p.Name
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
	s.schedule(key, p)
}

func (s *scheduler) retryAll() {
	for key, p := range s.pending {
		s.schedule(key, p)
	}
}

// schedule tries one pod: pick a node, reserve it, bind with a
// compare-and-set on spec.nodeName, and record the outcome.
func (s *scheduler) schedule(key string, p *api.Pod) {
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
	bound, err := s.e.bind(p, node)
	if err != nil {
		s.cache.Forget(p)
		return
	}
	delete(s.pending, key)
	delete(s.failed, key)
	s.e.events.record(bound, "Normal", "Scheduled", schedulerName,
		"Successfully assigned "+p.Namespace+"/"+p.Name+" to "+node)
}

// unschedulable records why a pod fits nowhere, once per distinct message.
func (s *scheduler) unschedulable(key string, p *api.Pod, msg string) {
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

// bind sets spec.nodeName if the pod is still the same, unbound pod.
func (e *Engine) bind(p *api.Pod, node string) (api.Object, error) {
	return e.store.GuaranteedUpdate("pods", p.Namespace, p.Name, func(o api.Object) (api.Object, error) {
		cur := o.(*api.Pod)
		if cur.UID != p.UID || cur.Spec.NodeName != "" || cur.DeletionTimestamp != nil {
			return nil, api.NewConflict("pods", p.Name, "pod is already bound or was replaced")
		}
		cur.Spec.NodeName = node
		setPodCondition(&cur.Status, api.PodCondition{Type: "PodScheduled", Status: "True"}, e.now())
		return cur, nil
	})
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
