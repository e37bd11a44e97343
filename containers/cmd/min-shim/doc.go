// Command min-shim is a small binary that only runs Min's per-pod shim (and
// the holder of a shared pid namespace). A Runtime re-executes its own binary
// by default; pointing containers.Options.ShimBinary here instead keeps each
// shim's memory small, because a shim maps the pages of the binary it runs
// and a big program (minish links Lua, the store, apimachinery, registries)
// makes every shim big.
//
//	CGO_ENABLED=0 go build -ldflags=-s -o /usr/local/libexec/min-shim ./containers/cmd/min-shim
//
// (static: no libc pages per shim; about 4 MB resident per shim here).
//
// It imports only the containers package. It has no concurrency of its own.
package main
