package luavm

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are real Lua snippets, leaning on the parts Min changed:
// pcall, xpcall, error levels, coroutines and require.
var fuzzSeeds = []string{
	issue448,
	`local t = {} for i = 1, 10 do t[i] = i * i end return #t`,
	`local ok, e = pcall(error, {reason = "NotFound"}) return e.reason`,
	`print(xpcall(function() error("x", 2) end, function(m) return m .. "!" end))`,
	`local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) return co(1), co(2)`,
	`local co = coroutine.create(function() pcall(coroutine.yield) end) return coroutine.resume(co)`,
	`while true do end`,
	`local function f(n) if n == 0 then error("bottom", 3) end return f(n - 1) end return pcall(f, 10)`,
	`local s = string.rep("ab", 10) return s:gsub("a", function(c) return c:upper() end)`,
	`setmetatable(_G, {__index = function(t, k) error("no global " .. k, 2) end}) return pcall(function() return x end)`,
	`local t = setmetatable({}, {__index = function(t, k) return k .. k end, __call = function(self, a) return a end}) return t.x, t(3)`,
	`return require("nope")`,
	`local a = {} for i = 1, 100 do a[i] = tostring(i) end table.sort(a, function(x, y) return x > y end) return table.concat(a, ",")`,
	`return loadstring("return 1 + ")`,
	`local x = 0 for i = 1, 1000 do x = x + select("#", pcall(unpack, {1, 2, 3})) end return x`,
	`return string.format("%5.2f %s %q %d", 3.14159, "x", "a\nb", 42)`,
	`local function deep(n) if n > 0 then return 1 + deep(n - 1) end return 0 end return pcall(deep, 100000)`,
	`return os.date("!%Y-%m-%d", 0), os.time{year = 2000, month = 1, day = 1}`,
	`local n = 0 local function bump() n = n + 1 end for i = 1, 10 do pcall(function() bump() error("x") end) end assert(n == 10)`,
}

// FuzzChunk runs random chunks on a fresh Min state with a 50 ms deadline.
// No Go panic may escape Run, no run may outlive its deadline by much,
// and a panic that only Run's last-resort recover caught is a bug too.
func FuzzChunk(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, chunk string) {
		L := New(Options{Stdout: io.Discard})
		defer L.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- Run(ctx, L, chunk, "fuzz.lua") }()
		select {
		case err := <-done:
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("Run returned %T %v, want *Error", err, err)
			}
			if e != nil && strings.Contains(e.Message, "internal error") {
				t.Fatalf("a Go panic reached Run: %s\n%s", e.Message, e.Traceback)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run did not end 10 s after its 50 ms deadline")
		}
	})
}
