// Package client implements engine.Interface and engine.ImageService over
// the engine daemon's HTTP API (engine/server), on its unix socket or any
// other dialer. Lua bindings and CLI verbs written against
// engine.Interface run unchanged on it: errors come back as the same
// *api.StatusError values (errors.Is(err, api.ErrNotFound) holds), lists
// carry the revision a watch continues from, and watches, logs, exec and
// port-forward stream.
//
// Every request carries Min's version and every answer the engine's; a
// client and an engine of different versions fail with ErrVersionMismatch
// and a message that says what to do.
//
// It must never import the engine's store, gopher-lua or anything under
// containers/.
//
// Concurrency: a *Client is safe for concurrent use; it keeps idle
// connections for reuse (keep-alive) until Close.
package client
