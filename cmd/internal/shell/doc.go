// Package shell is minish's command line: the Lua REPL and script runner
// (-e, -i, -n, --dry-run, --trace, a script and its arguments, standard
// input), the kubectl-style verbs (stdlib's min.kubectl through the
// bindings), `minish image …` and `minish kubeconfig`. Main runs it.
// The commonest verb, `get TYPE` as a table, is answered without a Lua
// state (quickget.go) through the same Go printing min.kubectl uses.
//
// Two programs share it. minish connects to the engine daemon (starting
// it in the background when none answers) and links only the bindings,
// the API types and the wire client, so that it starts fast; min-engine
// sets Options.Embedded and runs the engine inside its own process (what
// `minish --embedded` execs), and is also the daemon itself.
//
// It must never import the engine, engine/server, engine/store or
// anything under containers/: the caller passes the engine in Options.
// It never imports gopher-lua (the bindings do).
//
// Concurrency: Main runs once per process.
package shell
