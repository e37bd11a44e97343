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
package engine
