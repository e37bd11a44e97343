// Package daemon runs Min's engine as a background service that every
// minish on the machine shares; engine/daemonctl starts, stops and
// connects to it from the client side.
//
//   - Run serves an engine in the foreground on $MIN_HOME/min.sock (HTTP,
//     engine/server) until its context ends or SIGTERM/SIGINT arrives; it
//     then finishes in-flight requests, ends streams, closes the store and
//     leaves the pods running.
//   - Main is the command line (`minish engine [start|stop|status]
//     [--home DIR] [--listen 127.0.0.1:PORT]`).
//
// # The re-exec contract
//
// The detached engine daemonctl.Start launches is the current binary (os.Executable) run again as
// `<binary> engine --home DIR --detached [--listen ADDR]`: the program's
// main must hand the arguments after "engine" to Main, and return its exit
// code (minish: `os.Exit(daemon.Main(os.Args[2:]))` when os.Args[1] is
// "engine"). daemonctl.Options.Command replaces the binary and the "engine" word
// for programs that spell it differently.
//
// # Access
//
// The state directory is 0700 and the socket 0600, both owned by the user
// who started the engine; the engine also refuses socket peers of another
// uid (except root), checked with SO_PEERCRED. Containers never see the
// socket: the state directory is not mounted into them. The optional TCP
// listener (Options.Listen) serves HTTPS with a self-signed CA generated
// once into the state directory and requires a bearer token (the file
// token, 0600); kubeconfig (0600) holds both with a context "min".
// Listening on anything but a loopback address needs
// Options.AllowNonLoopback and is logged.
//
// It must never import gopher-lua or anything under containers/ directly.
//
// Concurrency: Run may be called from several processes at once on the
// same state directory; the store's lock keeps exactly one engine per
// directory.
package daemon
