package engine

import (
	"context"
	"path/filepath"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/engine/api"
)

// virtualNodes runs the virtual nodes: nodes backed by this machine whose
// pods really run, each node in a cgroup of its own that enforces the
// node's cpu and memory capacity, on the node's own pod CIDR.
type virtualNodes struct {
	e       *Engine
	running map[string]*virtualNode
}

type virtualNode struct {
	k      *kubelet
	cancel context.CancelFunc
	cgroup cgroup.Group
}

// virtualLoop starts and stops a kubelet per virtual node.
func (e *Engine) virtualLoop(ctx context.Context) {
	v := &virtualNodes{e: e, running: map[string]*virtualNode{}}
	events := make(chan Event, 256)
	e.run(func(ctx context.Context) {
		e.inform(ctx, "nodes", informOptions{}, func(ev Event) { sendEvent(ctx, events, ev) })
	})
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			n := ev.Object.(*api.Node)
			vn := v.running[n.Name]
			switch {
			case ev.Type == Deleted && vn != nil:
				v.stop(ctx, n.Name, vn)
			case ev.Type != Deleted && vn == nil && nodeType(n) == NodeVirtual:
				v.start(ctx, n)
			}
		}
	}
}

func (v *virtualNodes) start(ctx context.Context, n *api.Node) {
	e := v.e
	self, err := cgroup.Self(cgroup.Detect())
	if err != nil {
		e.events.record(n, "Warning", "KubeletSetupFailed", "kubelet", err.Error())
		return
	}
	parent := e.opts.CgroupParent + "/node-" + n.Name
	cg := self.Child(parent)
	if err := cg.Create(); err == nil {
		err = cg.Set(nodeLimits(n))
	}
	if err != nil {
		e.events.record(n, "Warning", "KubeletSetupFailed", "kubelet", "node cgroup: "+err.Error())
	}
	k, err := e.newKubeletWith(n.Name, n.Spec.PodCIDR, e.nets.Gateway().String(),
		filepath.Join(e.home, "nodes", n.Name), parent)
	if err != nil {
		e.events.record(n, "Warning", "KubeletSetupFailed", "kubelet", err.Error())
		return
	}
	kctx, cancel := context.WithCancel(ctx)
	v.running[n.Name] = &virtualNode{k: k, cancel: cancel, cgroup: cg}
	e.setAgent(n.Name, k)
	e.run(func(context.Context) { k.loop(kctx) })
	e.run(func(context.Context) { e.heartbeat(kctx, n.Name) })
	e.events.record(n, "Normal", "Starting", "kubelet", "Starting kubelet.")
}

// stop ends a deleted virtual node: its pods are stopped and removed (their
// objects are deleted as Kubernetes' pod garbage collector does), then its
// kubelet and cgroup go.
func (v *virtualNodes) stop(ctx context.Context, name string, vn *virtualNode) {
	delete(v.running, name)
	v.e.setAgent(name, nil)
	vn.cancel()
	if uids, err := vn.k.rt.ListPods(); err == nil {
		for _, uid := range uids {
			vn.k.rt.StopPod(uid, 0)
			vn.k.rt.RemovePod(uid)
		}
	}
	v.e.deletePodsOfNode(ctx, name)
	vn.cgroup.Remove(5 * time.Second)
}

// nodeLimits turns a node's capacity into its cgroup's limits.
func nodeLimits(n *api.Node) cgroup.Limits {
	var l cgroup.Limits
	if q, ok := n.Status.Capacity["memory"]; ok {
		l.MemoryBytes = q.Value()
	}
	if q, ok := n.Status.Capacity["cpu"]; ok {
		l.CPUMilli = q.MilliValue()
	}
	return l
}
