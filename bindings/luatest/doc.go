// Package luatest runs Lua test scripts: it installs an assert module
// (starlark-go's way: assert.eq, assert.ne, assert.is_true (true is a Lua
// keyword), assert.is_false, assert.fails, assert.contains, assert.fail) whose failures are reported to a
// testing.TB at the script's file:line, without stopping the script.
//
// It imports bindings, luavm and gopher-lua (it lives under bindings/, the
// only place gopher-lua may be used) and the testing package; nothing of
// Min imports it except tests.
//
// Concurrency: like the State it is installed in, one goroutine at a time.
package luatest
