package engine

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/minspace/min/engine/api"
)

// agentFor finds the running pod and the agent of its node.
func (e *Engine) agentFor(ctx context.Context, namespace, name string) (*api.Pod, nodeAgent, error) {
	o, err := e.Get(ctx, "pods", namespace, name)
	if err != nil {
		return nil, nil, err
	}
	p := o.(*api.Pod)
	if p.Spec.NodeName == "" {
		return nil, nil, api.NewBadRequest(fmt.Sprintf("pod %s is not scheduled to a node yet", name))
	}
	e.agentsMu.Lock()
	a, ok := e.agents[p.Spec.NodeName]
	e.agentsMu.Unlock()
	if !ok {
		return nil, nil, api.NewBadRequest(fmt.Sprintf("node %q of pod %s has no agent in this engine", p.Spec.NodeName, name))
	}
	return p, a, nil
}

// Logs implements Interface.
func (e *Engine) Logs(ctx context.Context, namespace, pod string, opts LogOptions, w io.Writer) error {
	p, a, err := e.agentFor(ctx, namespace, pod)
	if err != nil {
		return err
	}
	return a.Logs(ctx, p, opts, w)
}

// Exec implements Interface.
func (e *Engine) Exec(ctx context.Context, namespace, pod string, opts ExecOptions) (int, error) {
	p, a, err := e.agentFor(ctx, namespace, pod)
	if err != nil {
		return -1, err
	}
	return a.Exec(ctx, p, opts)
}

// DialPod implements Interface.
func (e *Engine) DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	p, a, err := e.agentFor(ctx, namespace, pod)
	if err != nil {
		return nil, err
	}
	return a.Dial(ctx, p, port)
}
