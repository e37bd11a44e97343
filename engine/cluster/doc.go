// Package cluster is the contract between Min's engine and everything that
// drives it: Interface (create, get, list, update, patch, delete, watch,
// logs, exec, port-forward), its options and events, ImageService, and
// helpers written only on top of Interface (WaitFor, Label, Annotate).
// The in-process engine (package engine) and the daemon's client
// (engine/client) both implement Interface, so the Lua bindings and the
// CLI run unchanged on either.
//
// It is apart from package engine so that a client links only this, the
// API types and the wire client: minish starts without the engine's
// store, runtime, server and their package initialisers.
//
// It must never import the engine, engine/store, engine/server, anything
// under containers/, buntdb or gopher-lua: only engine/api.
//
// Concurrency: the helpers are safe for concurrent use when the
// Interface they are given is.
package cluster
