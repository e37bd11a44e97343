// Package enginetest is the conformance suite of engine.Interface: Run
// drives any implementation (the in-process *engine.Engine, the socket
// client of the daemon, a daemon in another process) through the same
// cases, with the same expected objects, error classes and texts, so the
// backends cannot drift apart.
//
// open must return a fresh, empty engine (a new state directory) for each
// call, without a host node (simulated nodes stand in for it), and arrange
// its own cleanup with t.Cleanup. InProcess opens such an engine in the
// process, for this suite and for any other package's tests.
//
// It imports only the engine, its api and the standard testing package
// and apimachinery's labels; never gopher-lua, buntdb or containers/.
//
// Concurrency: each case runs on its own engine; cases do not run in
// parallel with each other.
package enginetest
