// Package api holds Min's API object types (Namespace, Node, Pod,
// ReplicationController, Event…) with Kubernetes' JSON field names, their
// defaults, deep copies, validation and the typed API errors.
//
// It owns the shape of objects only: no storage, no scheduling, no Lua.
// It must never import buntdb, gopher-lua or anything under containers/.
//
// Concurrency: values are plain data. An Object handed out by the store is
// a private copy that the receiver may change freely.
package api
