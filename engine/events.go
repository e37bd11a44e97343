package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/minspace/min/engine/api"
)

// eventTTL is how long events are kept (the apiserver's default).
const eventTTL = time.Hour

// recorder writes Event objects, folding repeats of the same event on the
// same object into one object with a count, as client-go's recorder does.
type recorder struct {
	e    *Engine
	mu   sync.Mutex
	seen map[string]string // aggregation key -> event name
}

func eventKey(ref api.ObjectReference, typ, reason, msg string) string {
	return ref.UID + "\x00" + typ + "\x00" + reason + "\x00" + msg
}

// record notes that something happened to obj. Failures are dropped: an
// event must never fail the operation it describes.
func (r *recorder) record(obj api.Object, typ, reason, component, msg string) {
	tm, m := obj.GetTypeMeta(), obj.GetObjectMeta()
	ref := api.ObjectReference{Kind: tm.Kind, Namespace: m.Namespace, Name: m.Name, UID: m.UID,
		APIVersion: "v1", ResourceVersion: m.ResourceVersion}
	ns := m.Namespace
	if ns == "" {
		ns = "default"
	}
	key := eventKey(ref, typ, reason, msg)
	now := r.e.now()
	r.mu.Lock()
	name, ok := r.seen[key]
	r.mu.Unlock()
	if ok {
		_, err := r.e.store.GuaranteedUpdate("events", ns, name, func(cur api.Object) (api.Object, error) {
			ev := cur.(*api.Event)
			ev.Count++
			ev.LastTimestamp = now
			return ev, nil
		})
		if err == nil {
			return
		}
	}
	ev := &api.Event{
		ObjectMeta:     api.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("%s.%x", m.Name, time.Now().UnixNano())},
		InvolvedObject: ref, Reason: reason, Message: msg, Type: typ, Count: 1,
		Source:         api.EventSource{Component: component},
		FirstTimestamp: now, LastTimestamp: now,
	}
	if _, err := r.e.Create(context.Background(), ev, CreateOptions{}); err == nil {
		r.mu.Lock()
		if len(r.seen) > 100000 { // bound the memory: forget, at worst an event repeats
			r.seen = map[string]string{}
		}
		r.seen[key] = ev.Name
		r.mu.Unlock()
	}
}

// eventCollector deletes events older than eventTTL.
func (e *Engine) eventCollector(ctx context.Context) {
	e.every(ctx, time.Minute, func() {
		list, err := e.List(ctx, "events", ListOptions{})
		if err != nil {
			return
		}
		cutoff := e.opts.Now().Add(-eventTTL)
		for _, o := range list.Items {
			ev := o.(*api.Event)
			if ev.LastTimestamp.Before(cutoff) {
				e.store.Delete("events", ev.Namespace, ev.Name, ev.UID)
			}
		}
	})
}
