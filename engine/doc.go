// Package engine is Min's core: it stores Kubernetes-shaped objects
// (through engine/store, the only importer of buntdb), validates and
// defaults them (engine/api), evaluates selectors, manages namespaces, runs
// the scheduler and controllers, and drives the node agents.
//
// Interface is the contract every front end is written against: *Engine
// implements it in-process, and the socket client of the daemon implements
// it remotely, so Lua bindings and CLI verbs run unchanged on both.
//
// It must never import gopher-lua or buntdb (only engine/store does).
//
// Concurrency: an *Engine is safe for concurrent use by many goroutines.
// Every object it returns through Interface is the caller's own copy. Its
// own loops (scheduler, replication manager, simulated kubelet) read the
// store's objects without copying them (shared informers, store.Apply with
// Op.Shared) and write in batches; they must never change an object they
// did not copy, which is what lets 100,000 pods be bound with one copy and
// a few store transactions per burst instead of a dozen copies and
// writes per pod.
package engine
