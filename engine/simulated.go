package engine

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/controller"
	"github.com/minspace/min/engine/store"
)

// simulatedKubelet runs every simulated node, as kwok does: a pod bound to
// one is marked Running and Ready at once without any process, and a pod
// being deleted is removed at once. One loop serves all simulated nodes so
// that a thousand of them cost one goroutine.
type simulatedKubelet struct {
	e       *Engine
	nodes   map[string]*api.Node
	ipams   map[string]*controller.IPAM
	waiting map[string]map[string]*api.Pod // node -> pod key -> pod bound before the node was seen
	writes  []store.Op                     // status writes of the events taken so far, written together
}

// maxStatusBatch bounds how many statuses one store transaction writes.
const maxStatusBatch = 512

func (e *Engine) simulatedLoop(ctx context.Context) {
	k := &simulatedKubelet{e: e, nodes: map[string]*api.Node{}, ipams: map[string]*controller.IPAM{},
		waiting: map[string]map[string]*api.Pod{}}
	nodeEvents, podEvents := make(chan []Event, eventBatches), make(chan []Event, eventBatches)
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "nodes", informOptions{Shared: true}, nodeEvents)
	})
	// Only bound pods concern a kubelet: the creations of pods waiting for
	// the scheduler (a third of all pod events in a burst) do not wake it.
	bound := informOptions{Shared: true, ListOptions: ListOptions{FieldSelector: "spec.nodeName!="}}
	e.run(func(ctx context.Context) {
		e.informTo(ctx, "pods", bound, podEvents)
	})
	for {
		select {
		case <-ctx.Done():
			return
		case evs := <-nodeEvents:
			k.nodesChanged(ctx, evs)
		case evs := <-podEvents:
			k.podsChanged(evs)
		}
		k.drain(ctx, nodeEvents, podEvents)
	}
}

// drain handles the events already queued, then writes the statuses they
// called for, up to maxStatusBatch per transaction.
func (k *simulatedKubelet) drain(ctx context.Context, nodeEvents, podEvents <-chan []Event) {
	for len(k.writes) < maxStatusBatch {
		select {
		case evs := <-nodeEvents:
			k.nodesChanged(ctx, evs)
			continue
		case evs := <-podEvents:
			k.podsChanged(evs)
			continue
		default:
		}
		break
	}
	for len(k.writes) > 0 {
		n := min(len(k.writes), maxStatusBatch)
		k.e.store.Apply(k.writes[:n])
		clear(k.writes[:n])
		k.writes = k.writes[n:]
	}
	k.writes = nil
}

func (k *simulatedKubelet) nodesChanged(ctx context.Context, evs []Event) {
	for _, ev := range evs {
		k.nodeChanged(ctx, ev)
	}
}

func (k *simulatedKubelet) podsChanged(evs []Event) {
	for _, ev := range evs {
		k.podChanged(ev)
	}
}

func (k *simulatedKubelet) nodeChanged(ctx context.Context, ev Event) {
	n := ev.Object.(*api.Node)
	_, known := k.nodes[n.Name]
	if ev.Type == Deleted || nodeType(n) != NodeSimulated {
		if known {
			delete(k.nodes, n.Name)
			delete(k.ipams, n.Name)
			k.e.setAgent(n.Name, nil)
			k.e.deletePodsOfNode(ctx, n.Name)
		}
		return
	}
	k.nodes[n.Name] = n
	if !known {
		if ipam, err := controller.NewIPAM(n.Spec.PodCIDR); err == nil {
			k.ipams[n.Name] = ipam
		}
		k.e.setAgent(n.Name, simulatedAgent{})
		for _, p := range k.waiting[n.Name] {
			k.run(p)
		}
		delete(k.waiting, n.Name)
	}
}

func (k *simulatedKubelet) podChanged(ev Event) {
	p := ev.Object.(*api.Pod)
	node := p.Spec.NodeName
	if node == "" {
		return
	}
	key := p.Namespace + "/" + p.Name
	if _, ok := k.nodes[node]; !ok {
		if ev.Type == Deleted {
			delete(k.waiting[node], key)
		} else if k.waiting[node] != nil || p.Status.Phase == "Pending" {
			if k.waiting[node] == nil {
				k.waiting[node] = map[string]*api.Pod{}
			}
			k.waiting[node][key] = p
		}
		return
	}
	ipam := k.ipams[node]
	if ev.Type == Deleted {
		if ipam != nil {
			ipam.Release(p.UID)
		}
		return
	}
	if ipam != nil && p.Status.PodIP != "" {
		ipam.Reserve(p.UID, p.Status.PodIP) // running since an earlier engine: keep its address
	}
	k.run(p)
}

// run brings one pod of a simulated node to where a kubelet would.
func (k *simulatedKubelet) run(p *api.Pod) {
	if p.DeletionTimestamp != nil {
		k.e.store.Delete("pods", p.Namespace, p.Name, p.UID)
		return
	}
	if running(p) {
		return
	}
	node := k.nodes[p.Spec.NodeName]
	ip := ""
	if ipam := k.ipams[node.Name]; ipam != nil {
		ip, _ = ipam.Allocate(p.UID)
	}
	st := controller.SimulatedPodStatus(p, node, ip, k.e.opts.Now())
	k.writes = append(k.writes, store.Op{Resource: "pods", Namespace: p.Namespace, Name: p.Name, Shared: true,
		Update: func(o api.Object) (api.Object, error) {
			cur := o.(*api.Pod) // the stored pod: read only
			if cur.UID != p.UID || cur.DeletionTimestamp != nil || running(cur) {
				return nil, errUnchanged // gone, going, or run by an earlier write
			}
			next := *cur // shares all but the status it replaces
			next.Status = st
			return &next, nil
		}})
}

// running says whether a simulated pod needs nothing more from its kubelet.
func running(p *api.Pod) bool {
	return p.Status.Phase == "Running" && p.Status.PodIP != "" || controller.IsTerminal(p.Status.Phase)
}

// simulatedAgent answers the pod I/O calls of simulated nodes: there is no
// process behind their pods.
type simulatedAgent struct{}

func (simulatedAgent) Logs(ctx context.Context, p *api.Pod, opts LogOptions, w io.Writer) error {
	return api.NewBadRequest(fmt.Sprintf("pod %s runs on simulated node %s: it has no logs", p.Name, p.Spec.NodeName))
}

func (simulatedAgent) Exec(ctx context.Context, p *api.Pod, opts ExecOptions) (int, error) {
	return -1, api.NewBadRequest(fmt.Sprintf("pod %s runs on simulated node %s: it has no processes to exec into", p.Name, p.Spec.NodeName))
}

func (simulatedAgent) Dial(ctx context.Context, p *api.Pod, port int) (net.Conn, error) {
	return nil, api.NewBadRequest(fmt.Sprintf("pod %s runs on simulated node %s: nothing listens there", p.Name, p.Spec.NodeName))
}

// setAgent registers (or, with nil, removes) the agent running a node.
func (e *Engine) setAgent(node string, a nodeAgent) {
	e.agentsMu.Lock()
	defer e.agentsMu.Unlock()
	if a == nil {
		delete(e.agents, node)
		return
	}
	e.agents[node] = a
}

// deletePodsOfNode removes the pods bound to a node that is gone, as
// Kubernetes' pod garbage collector does; like it, it leaves them when a
// node of that name exists again (deleted and re-created at once: the
// pods are the new node's).
func (e *Engine) deletePodsOfNode(ctx context.Context, node string) {
	nodeExists := func() bool { _, err := e.store.Get("nodes", "", node); return err == nil }
	if nodeExists() {
		return
	}
	list, err := e.List(ctx, "pods", ListOptions{FieldSelector: "spec.nodeName=" + node})
	// Asked again after the list: a node re-created (and a pod bound to
	// it) between the first look and the list makes the pods its own.
	if err != nil || nodeExists() {
		return
	}
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		e.store.Delete("pods", m.Namespace, m.Name, m.UID)
	}
}
