// Package daemonctl is the client side of Min's engine daemon: it finds,
// starts, stops and connects to the engine that serves a state directory,
// without linking the engine itself (engine/daemon serves it).
//
//   - Start starts one detached (own session, output appended to
//     $MIN_HOME/engine.log, pid in $MIN_HOME/engine.pid) and waits until it
//     answers. Stop and Status manage it.
//   - Connect returns a cluster.Interface for the engine of a state
//     directory, starting one in the background when none answers: once,
//     even when many clients race (a flock on $MIN_HOME/start.lock).
//
// The detached engine is `<Options.Command> --home DIR --detached
// [--listen ADDR]`, by default this binary run again as `<binary> engine`;
// that program must hand the arguments after "engine" to
// engine/daemon.Main.
//
// It must never import the engine, engine/server, engine/store, anything
// under containers/ or gopher-lua: minish links it and starts fast.
//
// Concurrency: Start, Stop, Status and Connect may be called from several
// processes at once on the same state directory; the start lock and the
// engine's store lock keep exactly one engine per directory.
package daemonctl
