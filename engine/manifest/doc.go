// Package manifest decodes Kubernetes manifests (YAML or JSON, several
// documents, kind: List) into engine/api objects and encodes objects back
// in Kubernetes' shape.
//
// Decoding is strict as kubectl's default server-side validation is: a
// field Kubernetes does not know is an error naming its full path with a
// did-you-mean (*FieldError); a field Kubernetes knows but Min does not
// support yet is a distinct error that says so. The Lua bindings decode
// tables through DecodeObject, so they get the same checks and can print
// paths with Lua's 1-based indices (FieldError.Local).
//
// It owns the manifest formats only: no defaults, no validation (engine/api
// does both), no storage. It must never import buntdb, gopher-lua or
// anything under containers/.
//
// Concurrency: the functions are pure and goroutine-safe; the field schema
// is built once from the api types and never changes.
package manifest
