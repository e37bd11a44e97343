package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// Watch implements cluster.Interface: a watch from now when
// opts.ResourceVersion is empty, else after that revision. It returns once
// the engine has registered the watch. The channel closes when ctx ends,
// the stream ends (the engine closed a watcher that fell behind, or
// stopped), or a line cannot be read; the caller watches again from the
// last revision it saw.
func (c *Client) Watch(ctx context.Context, resource string, opts cluster.ListOptions) (<-chan cluster.Event, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	q := listQuery(opts)
	q.Set("watch", "true")
	if opts.ResourceVersion == "" { // from now, without the current objects
		q.Set("sendInitialEvents", "false")
		q.Set("resourceVersionMatch", "NotOlderThan")
	}
	resp, err := c.do(ctx, http.MethodGet, listPath(k, opts.Namespace), q, nil, "")
	if err != nil {
		return nil, err
	}
	out := make(chan cluster.Event, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		for {
			var ev wire.WatchEvent
			if err := dec.Decode(&ev); err != nil || ev.Type == wire.EventError {
				return
			}
			obj, err := decodeObject(k, ev.Object)
			if err != nil || obj == nil {
				return
			}
			select {
			case out <- cluster.Event{Type: ev.Type, Object: obj}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
