// Package printers is Min's one implementation of Kubernetes' printing.
// minish's verbs and the API server's Table responses both call it, so
// the two cannot drift:
//
//   - TableFor builds the server-side Table of pods, nodes, namespaces,
//     replication controllers or events: the columns, priorities,
//     descriptions and cells Kubernetes' printers register (wide cells
//     always included); TableJSON encodes it as meta.k8s.io/v1 Table,
//     TableEncoder the same a batch of rows at a time (a server streams
//     long lists), and DecodeTable reads it back as it arrives, rows
//     directly and the rest through encoding/json (tablescan.go).
//   - PrintTable renders a Table as kubectl does (upper-cased headers,
//     kubectl's tabwriter alignment, -o wide, -L, --show-labels, -A,
//     `get all` names); Stream does it for `get --watch`.
//   - PrintObjects is `kubectl get -o ...`: tables, name, yaml, json,
//     jsonpath, custom-columns, go-template, and --sort-by, with kubectl's
//     error texts (*OutputError); NoResources is its empty-result message.
//   - Describe and DescribeWith are `kubectl describe` for pods, nodes,
//     namespaces and replication controllers, with their events.
//   - HumanDuration is the AGE formatter.
//
// Every function takes the current time as an argument, so ages are
// deterministic in tests and consistent within one rendering.
//
// It must never import buntdb, gopher-lua, engine/store or anything under
// containers/: it is pure formatting over engine/api objects. Beside
// apimachinery it uses k8s.io/client-go/util/jsonpath, kubectl's own
// JSONPath engine (two packages, standard library only).
//
// Concurrency: the functions are pure and goroutine-safe and never change
// the objects they are given; a Stream belongs to one goroutine.
package printers
