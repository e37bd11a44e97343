// Command min-engine is Min's engine as a program: `min-engine engine
// [run|start|stop|status]` is the daemon every minish shares (package
// engine/daemon), and any other command line is minish's
// (cmd/internal/shell) with the engine inside this process, which is what
// `minish --embedded …` and MIN_EMBEDDED=1 exec. It is also the pods'
// shim when re-executed as one (containers.Init) and min-shim is absent.
//
// It holds flags and wiring only.
package main
