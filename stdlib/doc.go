// Package stdlib holds Min's own Lua sources, embedded in the binary. The
// bindings load them for require("min.<name>") when no Go module of that
// name exists; chunk names start with "[min]/" so that errors raised inside
// them blame the user's line.
//
// It imports nothing from Min (and nothing but embed). Its FS is read-only
// and safe for concurrent use.
package stdlib

import "embed"

// FS holds the sources: min/<name>.lua is require("min.<name>").
//
//go:embed min/*.lua
var FS embed.FS
