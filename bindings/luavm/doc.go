// Package luavm is Min's Lua state factory: it builds the gopher-lua state
// that minish, the script runner, the tests and Go embedders all use, so that
// every Min script sees the same libraries and the same Lua 5.1 semantics.
//
// It owns:
//   - the set of libraries a script may use (base without dofile/loadfile,
//     table, string, math, coroutine, package with Min's require, and the
//     os subset time/date/getenv/clock/difftime; never io, debug, os.execute);
//   - Min's pcall and xpcall, which neutralise gopher-lua's upvalue defect
//     (yuin/gopher-lua#448) by running each protected call on a child thread;
//   - Min's error, whose levels blame the lines Lua 5.1 blames;
//   - the guards that turn a coroutine yield across pcall, a metamethod or a
//     Go function into a Lua error instead of a corrupted VM;
//   - compiling (Run, loadstring, load, require) through a nesting limit, so
//     that no chunk can overflow the Go stack of gopher-lua's compiler;
//   - ProtoCache, which keeps compiled prototypes of trusted modules (Min's
//     stdlib) in files so that later processes skip gopher-lua's slow
//     parser ($MIN_LUA_CACHE, else the user's cache folder);
//   - the helpers Go bindings need: Run, PCall, Caller, Where, Traceback,
//     Raise, RaiseReason and ErrorTable (errors.go says how bindings raise
//     errors that pcall catches intact).
//
// It imports gopher-lua and the standard library only; it must never import
// engine, containers or any other Min package (bindings sit above it).
//
// Concurrency: a state from New, with every thread and coroutine made from
// it, belongs to one goroutine at a time, like any gopher-lua state. The
// package has no package-level mutable state (two values computed once: the
// linked gopher-lua version and where a prototype keeps its string
// constants); per-state bookkeeping lives in
// the state's registry.
package luavm
