// Package printers is Min's one implementation of Kubernetes' printing:
// the server-side Tables that kubectl asks for (TableFor, with the columns,
// priorities and cells Kubernetes' printers register for pods, nodes,
// namespaces, replication controllers and events), kubectl's rendering of
// those tables (PrintTable: upper-cased headers, tabwriter alignment,
// -o wide, -L, --show-labels, -A), the other output forms of `kubectl get`
// (PrintObjects: -o name|yaml|json|jsonpath=|custom-columns=, --sort-by),
// and `kubectl describe` for pods, nodes, namespaces and replication
// controllers (Describe). minish's verbs and the API server's Table
// responses both call it, so the two cannot drift.
//
// Every function takes the current time as an argument, so ages are
// deterministic in tests and consistent within one rendering.
//
// It must never import buntdb, gopher-lua, engine/store or anything under
// containers/: it is pure formatting over engine/api objects.
//
// Concurrency: the functions are pure and goroutine-safe; they never
// change the objects they are given.
package printers
