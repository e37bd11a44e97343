// Package server serves an engine.Interface over HTTP with Kubernetes' REST
// paths and JSON shapes: /api/v1/namespaces/{ns}/pods/{name}, lists with
// labelSelector and fieldSelector, watch streams of newline-delimited
// events, merge patches, DeleteOptions, pod logs, and exec and
// port-forward over upgraded connections. Errors are Kubernetes Status
// objects carrying the engine's *api.StatusError unchanged. Min's own
// endpoints (images) live under /apis/min.minspace.io/v1.
//
// The handlers are written so that what real kubectl needs (discovery,
// server-side Tables, strategic merge patch, WebSocket and SPDY streams)
// can be added beside them: requests are parsed into a route once, and
// each content type or upgrade protocol has its own branch.
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
