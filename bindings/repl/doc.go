// Package repl is minish's interactive loop: readline editing and history,
// multi-line continuation (">>"), tab completion, Lua 5.3-style printing of
// expression values, and Ctrl-C that cancels the running call or clears
// the line. The Lua side (evaluation, completion, formatting) is
// bindings.State's REPL API.
//
// It imports bindings and readline; never gopher-lua, never the engine.
//
// Concurrency: Run owns the State for its duration; one Run per State.
package repl
