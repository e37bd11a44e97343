// Package bindings is Min's Lua DSL: it exposes an engine.Interface to Lua
// as the modules pod, node, namespace, label, annotation, selector, log, watch,
// manifest, rc, image, http, yaml and json, plus explain() and help(). Objects
// cross the boundary as plain Lua tables in Kubernetes shape with a
// per-kind metatable (methods, __tostring, __eq).
//
// It is the only package of Min that imports gopher-lua (bindings/luavm
// makes the bare Lua state; this package fills it). It must never import
// cmd/..., and it reaches the engine only through engine.Interface, so a
// remote engine can stand behind the same State.
//
// Concurrency: a State belongs to one goroutine at a time, as a Lua state
// does. Blocking calls (waits, log follow, port-forward accept loops) run
// their own goroutines but only touch Lua from the caller's goroutine.
package bindings
