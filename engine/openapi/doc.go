// Package openapi owns the OpenAPI v3 document of Min's core/v1 API: the
// schema of every kind Min serves (pods, nodes, namespaces, replication
// controllers, events), limited to the fields Min's api types have, with
// Kubernetes' own field descriptions, patch strategies and
// group-version-kinds. kubectl reads it for client-side decisions
// (create/apply send fieldValidation=Strict because the patch operations
// list that parameter) and for `kubectl explain`; minish's own explain
// reads the same descriptions through Describe, so the two cannot drift.
//
// The document is generated (Generate) from the api package's Go types
// and the Kubernetes document client-go ships as test data
// (openapi/openapitest/testdata/api__v1_openapi.json), and embedded as
// api_v1.json; TestGenerated fails when the types change and the file was
// not regenerated (go test ./engine/openapi -update).
//
// It must never import gopher-lua, buntdb or anything under containers/,
// nor the engine: only engine/api.
//
// Concurrency: everything here is immutable after package
// initialisation and safe for concurrent use.
package openapi
