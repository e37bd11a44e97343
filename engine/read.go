package engine

import (
	"context"
	"strconv"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

// Get implements Interface.
func (e *Engine) Get(ctx context.Context, resource, namespace, name string) (api.Object, error) {
	kind, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	if !kind.Namespaced {
		namespace = ""
	} else if namespace == "" {
		namespace = "default"
	}
	return e.store.Get(kind.Resource, namespace, name)
}

// List implements Interface. Listing a namespace that does not exist is
// an empty list, as in Kubernetes.
func (e *Engine) List(ctx context.Context, resource string, opts ListOptions) (*List, error) {
	return e.list(resource, opts, false)
}

// ListShared is List whose items are the store's own objects rather than
// private copies, for callers that only read them (the server's Tables,
// minish's printing): the caller must never change them. A list of
// 1,000 pods saves their deep copies, about 1.2 MB.
func (e *Engine) ListShared(ctx context.Context, resource string, opts ListOptions) (*List, error) {
	return e.list(resource, opts, true)
}

func (e *Engine) list(resource string, opts ListOptions, shared bool) (*List, error) {
	kind, sopts, err := e.listOptions(resource, opts)
	if err != nil {
		return nil, err
	}
	sopts.Shared = shared
	items, rev, err := e.store.List(kind.Resource, sopts)
	if err != nil {
		return nil, err
	}
	return &List{ResourceVersion: strconv.FormatInt(rev, 10), Items: items}, nil
}

// Watch implements Interface.
func (e *Engine) Watch(ctx context.Context, resource string, opts ListOptions) (<-chan Event, error) {
	kind, sopts, err := e.listOptions(resource, opts)
	if err != nil {
		return nil, err
	}
	in, err := e.store.Watch(ctx, kind.Resource, store.WatchOptions{
		Namespace: sopts.Namespace, Labels: sopts.Labels, Fields: sopts.Fields,
		ResourceVersion: opts.ResourceVersion,
	})
	if err != nil {
		return nil, err
	}
	out := make(chan Event, 64)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- Event{Type: ev.Type, Object: ev.Object}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// listOptions parses the selectors of opts with Kubernetes' grammar.
func (e *Engine) listOptions(resource string, opts ListOptions) (api.Kind, store.ListOptions, error) {
	kind, err := resourceKind(resource)
	if err != nil {
		return kind, store.ListOptions{}, err
	}
	var so store.ListOptions
	if kind.Namespaced {
		so.Namespace = opts.Namespace
	}
	if opts.LabelSelector != "" {
		sel, err := labels.Parse(opts.LabelSelector)
		if err != nil {
			return kind, so, api.NewBadRequest(err.Error())
		}
		so.Labels = sel
	}
	if opts.FieldSelector != "" {
		sel, err := fields.ParseSelector(opts.FieldSelector)
		if err != nil {
			return kind, so, api.NewBadRequest(err.Error())
		}
		so.Fields = sel
	}
	return kind, so, nil
}
