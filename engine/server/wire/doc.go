// Package wire holds what the engine's HTTP server and its client must
// agree on: the Status JSON of errors, header names, the version document,
// watch frames, and the framed stream protocol of exec.
//
// It must never import the server or client packages, gopher-lua, buntdb
// or anything under containers/.
//
// Concurrency: the functions are pure; a FrameWriter serialises its writes
// with a mutex and may be shared by goroutines.
package wire
