package server

import (
	"context"
	"runtime"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
)

// DefaultListConcurrency is how many lists the server builds at once by
// default: one fewer than the CPUs Go runs on, and at least one.
//
// Why: a list of a thousand pods holds a CPU for milliseconds (the
// engine's copy, the Table, the JSON). When as many run as Go has CPUs,
// every P is busy and a cheap request of another client (a get of one
// pod, 0.1 ms of work) waits until a P frees up or the runtime's 10 ms
// preemption and netpoll tick come round: 20 parallel `kubectl get pods`
// multiplied other clients' median gets several times. With one CPU kept
// out of reach of lists, a P is idle in netpoll whenever lists are all
// that run, and the cheap request starts at once; the lists queue, first
// come first served, and lose only the parallelism they had (the same
// total CPU, spread over time). The apiserver's API Priority and Fairness
// does the same with seats: a list occupies more of them.
func DefaultListConcurrency() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// listSlots bounds the lists being built.
type listSlots chan struct{}

// take waits for a slot, or until ctx ends (the client went away or its
// timeout ran out).
func (l listSlots) take(ctx context.Context) (release func(), err error) {
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, api.NewTimeout("the list did not start before the request ended: " + context.Cause(ctx).Error())
	}
}

// SharedLister is an engine that can list its stored objects themselves
// rather than private copies, for a caller that only reads them. Copying
// a thousand pods is a third of the CPU of a `kubectl get pods`, and a
// Table never needs the copies: the server lists through ListShared when
// the engine has it.
type SharedLister interface {
	// ListShared is List whose items the caller must never change.
	ListShared(ctx context.Context, resource string, opts engine.ListOptions) (*engine.List, error)
}

// listForReading lists objects the caller will only read.
func (s *Server) listForReading(ctx context.Context, resource string, opts engine.ListOptions) (*engine.List, error) {
	if sl, ok := s.eng.(SharedLister); ok {
		return sl.ListShared(ctx, resource, opts)
	}
	return s.eng.List(ctx, resource, opts)
}
