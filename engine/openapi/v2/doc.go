// Package openapiv2 serves engine/openapi's document as /openapi/v2 needs
// it: converted to Swagger 2.0 and encoded in gnostic's protobuf form,
// the only form kubectl 1.27 and 1.28 read for validation.
//
// It is apart from engine/openapi because gnostic and protobuf are large
// and their package initialisers cost every process that links them: the
// engine's server imports this package, minish's client side (explain
// reads engine/openapi's descriptions) does not.
//
// It must never import gopher-lua, buntdb, anything under containers/,
// nor the engine: only engine/openapi.
//
// Concurrency: Protobuf is computed once and safe for concurrent use.
package openapiv2
