// Package api holds Min's API object types (Namespace, Node, Pod,
// ReplicationController, Event, their lists and the generic List) with
// Kubernetes' JSON field names, their defaults (SetDefaults), hand-written
// deep copies, validation with Kubernetes' texts (ValidateObject,
// ValidateUpdate, InvalidError), label-selector helpers and the typed API
// errors.
//
// Struct tags follow Kubernetes' core/v1, including patchStrategy and
// patchMergeKey, so apimachinery's strategicpatch can merge these types.
//
// It owns the shape of objects only: no storage, no scheduling, no Lua,
// no manifest parsing (engine/manifest). It must never import buntdb,
// gopher-lua or anything under containers/.
//
// Concurrency: values are plain data and the functions are pure. An
// Object handed out by the store is a private copy that the receiver may
// change freely.
package api
