// Command minish is Min's shell: a Lua REPL on a terminal, a script runner
// (minish script.lua a b, #!/usr/bin/env minish, -e, -i, -), and later the
// kubectl-style verbs and the engine daemon.
//
// It holds flags and wiring only: the Lua DSL is package bindings, the REPL
// loop bindings/repl, the engine package engine. It never imports
// gopher-lua.
package main
