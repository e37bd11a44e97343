package luavm

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The benchmarks run the same Lua loop on Min's state and on a stock
// gopher-lua state (lua.NewState()), side by side:
//
//	go test -run '^$' -bench 'Pcall' -benchmem ./bindings/luavm/
//
// Each iteration is one pcall.

const (
	benchOK = `
		local f = function(a, b) return a + b end
		return function(n) for i = 1, n do pcall(f, i, 1) end end`
	benchError = `
		local f = function(a) error("boom") end
		return function(n) for i = 1, n do pcall(f, i) end end`
	benchErrorTable = `
		local e = {reason = "NotFound"}
		local f = function() error(e) end
		return function(n) for i = 1, n do pcall(f) end end`
	benchXpcallError = `
		local f = function() error("boom") end
		local h = function(e) return e end
		return function(n) for i = 1, n do xpcall(f, h) end end`
)

func benchLoop(b *testing.B, L *lua.LState, src string) {
	b.Helper()
	if err := L.DoString(src); err != nil {
		b.Fatal(err)
	}
	loop := L.Get(-1)
	L.Pop(1)
	b.ReportAllocs()
	b.ResetTimer()
	if err := L.CallByParam(lua.P{Fn: loop, NRet: 0, Protect: true}, lua.LNumber(b.N)); err != nil {
		b.Fatal(err)
	}
}

func benchBoth(b *testing.B, src string) {
	b.Run("min", func(b *testing.B) {
		L := New(Options{})
		defer L.Close()
		benchLoop(b, L, src)
	})
	b.Run("gopher", func(b *testing.B) {
		L := lua.NewState()
		defer L.Close()
		benchLoop(b, L, src)
	})
}

func BenchmarkPcallOK(b *testing.B)         { benchBoth(b, benchOK) }
func BenchmarkPcallError(b *testing.B)      { benchBoth(b, benchError) }
func BenchmarkPcallErrorTable(b *testing.B) { benchBoth(b, benchErrorTable) }
func BenchmarkXpcallError(b *testing.B)     { benchBoth(b, benchXpcallError) }
