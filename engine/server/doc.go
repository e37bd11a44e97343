// Package server serves an engine.Interface over HTTP with Kubernetes' REST
// paths and JSON shapes: /api/v1/namespaces/{ns}/pods/{name}, lists with
// labelSelector and fieldSelector, watch streams of newline-delimited
// events, merge patches, DeleteOptions, pod logs, and exec and
// port-forward over upgraded connections. Errors are Kubernetes Status
// objects carrying the engine's *api.StatusError unchanged. Min's own
// endpoints (images) live under /apis/min.minspace.io/v1.
//
// What the real kubectl and client-go need is served beside them:
// /version (announcing ServedKubeVersion, whose minor picks the binary of
// Debian's kubectl dispatcher), legacy discovery (/api, /apis, /api/v1
// with verbs, short names, the "all" category and subresources),
// server-side Tables for get and watch (Accept ...;as=Table;g=meta.k8s.io,
// built by engine/printers, the same code as minish's own get), strategic
// merge, JSON and apply patches, the replicationcontrollers/NAME/scale
// subresource (autoscaling/v1 Scale), deletecollection, the protobuf body
// of `kubectl create namespace`, strict decoding errors with field paths,
// /openapi/v3 and /openapi/v2 (engine/openapi), and a node's lease for
// describe node.
//
// Answers that never change (/version, discovery, the OpenAPI documents)
// are encoded once and carry ETags. Lists take one of
// Options.ListConcurrency slots (default one fewer than the CPUs), so that
// cheap requests of other clients never wait behind them for a CPU; a
// list's Table is made and sent a thousand rows at a time, each batch
// within a slot, so the client decodes while the engine makes the rest.
//
// Every request is bounded: bodies over Options.MaxBodyBytes are refused,
// a panic in a handler becomes a 500 Status for that request only, and
// nothing a client sends can stop the engine.
//
// It must never import gopher-lua, buntdb, the engine's store or
// anything under containers/; it talks to the engine only through
// engine.Interface and engine.ImageService.
//
// Concurrency: a *Server serves any number of requests at once.
package server
