package engine

import (
	"context"
	"fmt"

	"github.com/minspace/min/engine/api"
)

// Cordon marks a node unschedulable (kubectl cordon).
func Cordon(ctx context.Context, c Interface, node string) (api.Object, error) {
	return setUnschedulable(ctx, c, node, true)
}

// Uncordon makes a node schedulable again (kubectl uncordon).
func Uncordon(ctx context.Context, c Interface, node string) (api.Object, error) {
	return setUnschedulable(ctx, c, node, false)
}

func setUnschedulable(ctx context.Context, c Interface, node string, on bool) (api.Object, error) {
	patch := fmt.Sprintf(`{"spec":{"unschedulable":%t}}`, on)
	return c.Patch(ctx, "nodes", "", node, []byte(patch), UpdateOptions{})
}

// Drain cordons a node and deletes the pods bound to it (each with its own
// grace period), so that their controllers re-create them elsewhere
// (kubectl drain --ignore-daemonsets --delete-emptydir-data --force).
// It returns once every pod has been asked to go.
func Drain(ctx context.Context, c Interface, node string) error {
	if _, err := Cordon(ctx, c, node); err != nil {
		return err
	}
	list, err := c.List(ctx, "pods", ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return err
	}
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		if _, err := c.Delete(ctx, "pods", m.Namespace, m.Name, DeleteOptions{PreconditionUID: m.UID}); err != nil && api.ReasonOf(err) != api.ReasonNotFound {
			return fmt.Errorf("drain %s: evicting %s/%s: %w", node, m.Namespace, m.Name, err)
		}
	}
	return nil
}
