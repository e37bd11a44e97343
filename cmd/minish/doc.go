// Command minish is Min's shell: a Lua REPL on a terminal, a script runner
// (minish script.lua a b, #!/usr/bin/env minish, -e, -i, -), the
// kubectl-style verbs (minish get pods -l app=kubia), `minish image …` and
// `minish kubeconfig` (package cmd/internal/shell).
//
// It is a client: it talks to the engine daemon of $MIN_HOME over its
// socket and starts one in the background when none answers. It never
// links the engine, so that it starts in a few milliseconds. What needs
// the engine in this process — `minish engine …` (the daemon) and
// --embedded or MIN_EMBEDDED=1 — is handed to min-engine (cmd/min-engine),
// found beside minish or on $PATH, by exec: the same process, the same
// arguments.
//
// It holds flags and wiring only.
package main
