package luavm

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// issue448 is the reproduction from Min's issue 8 (upstream #448).
const issue448 = `
local n = 0
local function bump() n = n + 1 end
local function t()
  pcall(error, "boom")
  n = n + 1
  bump()
end
t()
return n`

// TestUpstream448 shows the defect in plain gopher-lua. When it fails,
// upstream has fixed #448 and Min's child-thread pcall may go.
func TestUpstream448(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(issue448); err != nil {
		t.Fatal(err)
	}
	if got := L.Get(-1); got != lua.LNumber(0) {
		t.Fatalf("stock gopher-lua gives %v, not the broken 0: #448 is fixed upstream", got)
	}
}

func TestIssue448Fixed(t *testing.T) {
	L := New(Options{})
	defer L.Close()
	fn, err := L.LoadString(issue448)
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := PCall(L, 0, 1, nil); err != nil {
		t.Fatal(err)
	}
	if got := L.Get(-1); got != lua.LNumber(2) {
		t.Fatalf("n = %v, Lua 5.1 gives 2", got)
	}
}

// testState returns a state with Go functions that fail the ways bindings
// do, and a traceback function built on Traceback.
func testState(t *testing.T, opts Options) *lua.LState {
	t.Helper()
	L := New(opts)
	t.Cleanup(L.Close)
	funcs := map[string]lua.LGFunction{
		"go_raise": func(L *lua.LState) int {
			L.RaiseError("raised %s", "from go")
			return 0
		},
		"go_argerror": func(L *lua.LState) int {
			L.CheckString(1)
			return 0
		},
		"go_table": func(L *lua.LState) int {
			RaiseReason(L, "NotFound", "pods %q not found", L.OptString(1, "web"))
			return 0
		},
		"go_value": func(L *lua.LState) int {
			Raise(L, L.Get(1))
			return 0
		},
		"go_panic": func(L *lua.LState) int {
			panic("binding bug")
		},
		"go_call": func(L *lua.LState) int { // calls its argument back, unprotected
			L.CheckFunction(1)
			L.Call(L.GetTop()-1, lua.MultRet)
			return L.GetTop()
		},
		"go_pcall": func(L *lua.LState) int { // calls its argument with PCall
			L.CheckFunction(1)
			if err := PCall(L, L.GetTop()-1, 1, nil); err != nil {
				L.Push(lua.LFalse)
				L.Push(err.(*lua.ApiError).Object)
				return 2
			}
			L.Insert(lua.LTrue, 1)
			return 2
		},
		"traceback": func(L *lua.LState) int {
			L.Push(lua.LString(Traceback(L, L.OptString(1, ""), 1)))
			return 1
		},
		"caller": func(L *lua.LState) int {
			L.Push(lua.LString(Caller(L, 1)))
			return 1
		},
	}
	for name, fn := range funcs {
		L.SetGlobal(name, L.NewFunction(fn))
	}
	return L
}

func runLua(t *testing.T, L *lua.LState, name, src string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Run(ctx, L, src, name)
}

// TestProtectedCalls checks, case by case, that Min's pcall and xpcall
// behave as Lua 5.1's. Each script asserts in Lua.
func TestProtectedCalls(t *testing.T) {
	cases := []struct{ name, src string }{
		{"issue snippet returns 2", `
			local n = 0
			local function bump() n = n + 1 end
			local function t() pcall(error, "boom"); n = n + 1; bump() end
			t()
			assert(n == 2, n)`},
		{"upvalue write after xpcall", `
			local n = 0
			local function bump() n = n + 1 end
			local function t()
			  xpcall(function() error("boom") end, function(e) return e end)
			  n = n + 1; bump()
			end
			t(); t()
			assert(n == 4, n)`},
		{"upvalue write after errors from go bindings", `
			local n = 0
			local function bump() n = n + 1 end
			local function t()
			  assert(not pcall(go_raise)); bump()
			  assert(not pcall(go_argerror, {})); bump()
			  assert(not pcall(go_table)); bump()
			  assert(not pcall(go_panic)); bump()
			  assert(not xpcall(go_raise, function(e) return e end)); bump()
			  n = n + 1
			end
			t()
			assert(n == 6, n)`},
		{"counting failures in a helper", `
			local failures = 0
			local function try(f, ...) local ok = pcall(f, ...); if not ok then failures = failures + 1 end end
			for i = 1, 5 do try(go_table, "p" .. i) end
			try(function() end)
			assert(failures == 5, failures)`},
		{"closures made in the failed call keep their values", `
			local saved, inc
			local ok = pcall(function()
			  local a, b = 10, 20
			  saved = function() return a + b end
			  inc = function() a = a + 1; return a end
			  error("x")
			end)
			assert(not ok)
			local function clobber() local p, q, r, s, u, v, w = 1, 2, 3, 4, 5, 6, 7; return p + q end
			clobber(); pcall(clobber)
			assert(saved() == 30, saved())
			assert(inc() == 11 and inc() == 12 and saved() == 32)`},
		{"closures made in a failed xpcall keep their values", `
			local saved
			local ok, msg = xpcall(function()
			  local a = "kept"
			  saved = function() return a end
			  error("x")
			end, function(e) return "h:" .. e end)
			assert(not ok and msg:find("^h:"), msg)
			local function clobber() local p, q, r = 1, 2, 3; return p end
			clobber(); pcall(clobber); clobber()
			assert(saved() == "kept", tostring(saved()))`},
		{"closures made in a call that hit a go panic keep their values", `
			local saved
			local ok, msg = pcall(function()
			  local a = 41
			  saved = function() a = a + 1; return a end
			  go_panic()
			end)
			assert(not ok and msg:find("binding bug"), msg)
			assert(saved() == 42)`},
		{"nested pcalls", `
			local n = 0
			local ok, err = pcall(function()
			  local ok2, err2 = pcall(function()
			    local ok3 = pcall(error, "deep")
			    assert(not ok3)
			    n = n + 1
			    error("middle")
			  end)
			  assert(not ok2 and err2:find("middle"))
			  n = n + 1
			  error({code = 7})
			end)
			assert(not ok and err.code == 7)
			n = n + 1
			assert(n == 3, n)`},
		{"pcall inside xpcall inside pcall", `
			local n = 0
			local ok, v = pcall(function()
			  return xpcall(function()
			    pcall(error, "a"); n = n + 1
			    error("b")
			  end, function(e) n = n + 1; return "handled " .. e end)
			end)
			assert(ok == true and v == false)
			assert(n == 2, n)`},
		{"error table passes through unchanged", `
			local e = {reason = "Conflict", message = "m", extra = {1, 2}}
			local ok, got = pcall(error, e)
			assert(not ok and rawequal(got, e))
			ok, got = pcall(go_value, e)
			assert(not ok and rawequal(got, e))
			ok, got = xpcall(function() error(e) end, function(x) return x end)
			assert(not ok and rawequal(got, e))
			local ok2, got2 = pcall(error)
			assert(not ok2 and got2 == nil)`},
		{"go error table arrives intact", `
			local ok, e = pcall(go_table, "web")      -- line 1
			assert(not ok and type(e) == "table", type(e))
			assert(e.reason == "NotFound", e.reason)
			assert(e.message == 't.lua:1: pods "web" not found', e.message)
			assert(tostring(e) == e.message)
			local function create() go_table("db") end  -- line 6
			ok, e = pcall(create)
			assert(e.message == 't.lua:6: pods "db" not found', e.message)
			ok, e = xpcall(create, function(x) return x end)
			assert(e.reason == "NotFound" and e.message:find("^t.lua:6:"), e.message)`},
		{"go string errors arrive intact", `
			local ok, e = pcall(function() go_raise() end)      -- line 1
			assert(e == "t.lua:1: raised from go", e)
			ok, e = pcall(go_raise)
			assert(e == "raised from go", e)
			ok, e = pcall(go_argerror, {})
			assert(e == "bad argument #1 to '?' (string expected, got table)", e)
			ok, e = pcall(function() go_argerror(1 == 1) end)
			assert(e:find("^t.lua:7: bad argument #1 to go_argerror"), e)`},
		{"pcall returns every value", `
			local function f() return 1, nil, 3, nil end
			assert(select("#", pcall(f)) == 5)
			local ok, a, b, c, d = pcall(f)
			assert(ok == true and a == 1 and b == nil and c == 3 and d == nil)
			assert(select("#", pcall(function() end)) == 1)
			local args = {pcall(function(...) return select("#", ...), ... end, "x", nil, "z")}
			assert(args[2] == 3 and args[3] == "x" and args[5] == "z")
			local t = {}
			for i = 1, 300 do t[i] = i end
			local r = {pcall(unpack, t)}
			assert(#r == 301 and r[301] == 300)`},
		{"pcall of a non-function", `
			local ok, e = pcall(1)
			assert(not ok and e == "attempt to call a number value", e)
			ok, e = pcall(nil)
			assert(not ok and e == "attempt to call a nil value", e)
			ok, e = pcall({})
			assert(not ok and e == "attempt to call a table value", e)
			local callable = setmetatable({}, {__call = function(self, x) return x * 2 end})
			local ok2, v = pcall(callable, 21)
			assert(ok2 and v == 42)
			ok, e = pcall(function() pcall() end)
			assert(not ok and e:find("bad argument #1 to pcall", 1, true), e)
			ok, e = xpcall(nil, function(m) return "h:" .. m end)
			assert(not ok and e == "h:attempt to call a nil value", e)`},
		{"xpcall handler sees the error and the failed stack", `
			local function level3() error("deep") end          -- line 1
			local function level2() level3() end               -- line 2
			local function level1() level2() end               -- line 3
			local ok, tb = xpcall(level1, function(e) return traceback(e) end)  -- line 4
			assert(not ok)
			assert(tb:find("^t.lua:1: deep\nstack traceback:\n"), tb)
			local want = {"t.lua:1: in function 'level3'", "t.lua:2: in function 'level2'",
			  "t.lua:3: in function <t.lua:3>", "[G]: in function 'xpcall'", "t.lua:4: in main chunk"}
			local at = 1
			for _, w in ipairs(want) do
			  local s, e = tb:find(w, at, true)
			  assert(s, "missing " .. w .. " in\n" .. tb)
			  at = e
			end`},
		{"xpcall handler that nests pcalls", `
			local function nest(n) if n == 0 then return "bottom" end return select(2, pcall(nest, n - 1)) end
			local ok, e = xpcall(function() error("fn", 0) end, function(m) return m .. ":" .. nest(50) end)
			assert(not ok and e == "fn:bottom", tostring(e))
			local saved
			ok, e = xpcall(function() local x = "cap"; saved = function() return x end; error("e") end,
			  function(m) return nest(40) end)
			assert(not ok and e == "bottom" and saved() == "cap", tostring(e))`},
		{"xpcall handler error", `
			local ok, e = xpcall(function() error("fn") end, function() error("handler", 0) end)
			assert(not ok and e == "handler", e)
			local n = 0
			ok = pcall(function()
			  local ok2 = xpcall(function() error("fn") end, function() error("h") end)
			  assert(not ok2); n = n + 1
			  error("reached")
			end)
			assert(not ok and n == 1)`},
		{"error levels blame Lua 5.1's lines", `
			local function check(x) if not x then error("need x", 2) end end  -- line 1
			local function user() check(nil) end                                -- line 2
			local ok, e = pcall(user)
			assert(e == "t.lua:2: need x", e)
			local function deeper() error("lvl3", 3) end                        -- line 5
			local function mid() deeper() end                                   -- line 6
			local function top() mid() end                                      -- line 7
			ok, e = pcall(top)
			assert(e == "t.lua:7: lvl3", e)
			ok, e = pcall(function() error("lvl1") end)                         -- line 10
			assert(e == "t.lua:10: lvl1", e)
			ok, e = pcall(function() error("lvl1", 1) end)                      -- line 12
			assert(e == "t.lua:12: lvl1", e)
			ok, e = pcall(function() error("none", 0) end)
			assert(e == "none", e)
			ok, e = pcall(error, "at pcall", 2)    -- line 16: level 1 is pcall, 2 this chunk
			assert(e == "t.lua:16: at pcall", e)
			ok, e = pcall(function() local function f() error("up", 3) end f() end)  -- level 3 is pcall
			assert(e == "up", e)
			local function far() error("main", 3) end                           -- line 20
			local function near() far() end
			ok, e = pcall(function() pcall(near); near() end)                   -- line 22
			assert(e == "t.lua:22: main", e)
			ok, e = pcall(error, 42)
			assert(e == "42", tostring(e)) -- Lua 5.1 concatenates, even with no position
			ok, e = pcall(function() error(42) end)                            -- line 26
			assert(e == "t.lua:26: 42", e)`},
		{"error levels through a tail call", `
			local function f() error("x", 2) end
			local function g() return f() end
			local ok, e = pcall(g)
			assert(e == "x", e)   -- Lua 5.1: level 2 is the tail call, which has no line
			local function h() error("y", 3) end
			local function k() return h() end
			local function user() k(); return 1 end                -- line 7
			ok, e = pcall(user)
			assert(e == "t.lua:7: y", e)  -- level 2 is the tail call, 3 is user
			local tb
			local function deep() tb = traceback("m") end
			local function tail() return deep() end
			tail()
			assert(tb:find("(tail call): ?", 1, true), tb)
			local _, n = tb:gsub("in main chunk", "")
			assert(n == 1, tb)`},
		{"caller skips go functions", `
			assert(caller() == "t.lua:1")
			local ok, where = pcall(caller)                 -- line 2
			assert(ok and where == "t.lua:2", where)
			local function f() return caller() end          -- line 4
			assert(f() == "t.lua:4")`},
		{"yield across pcall is a lua error", `
			local co = coroutine.create(function()
			  local ok, e = pcall(coroutine.yield, 1)
			  assert(not ok and e:find("attempt to yield across"), e)
			  local ok2, e2 = pcall(function() coroutine.yield(2) end)
			  assert(not ok2 and e2:find("attempt to yield across"), e2)
			  coroutine.yield("after")
			  return "done"
			end)
			local ok, v = coroutine.resume(co)
			assert(ok and v == "after", tostring(v))
			ok, v = coroutine.resume(co)
			assert(ok and v == "done")
			assert(coroutine.status(co) == "dead")`},
		{"yield across go callbacks is a lua error", `
			local function try(f)
			  local co = coroutine.create(f)
			  local ok, e = coroutine.resume(co)
			  assert(not ok and tostring(e):find("attempt to yield across"), tostring(e))
			end
			try(function() table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end)
			try(function() string.gsub("abc", "%w", function() coroutine.yield() end) end)
			try(function() local t = setmetatable({}, {__index = function() coroutine.yield() end}); return t.x end)
			try(function() go_call(coroutine.yield, 1) end)
			try(function() go_call(function() coroutine.yield() end) end)
			local co = coroutine.create(function()
			  return xpcall(function() coroutine.yield() end, function(e) return "h:" .. e end)
			end)
			local ok, okx, e = coroutine.resume(co)
			assert(ok and okx == false and e:find("^h:.*attempt to yield across"), e)
			local ok, e = pcall(coroutine.yield)
			assert(not ok and e:find("yield"), e)`},
		{"yield inside coroutines inside pcall works", `
			local ok, a, b = pcall(function()
			  local co = coroutine.wrap(function(x) local y = coroutine.yield(x + 1); return y * 2 end)
			  return co(1), co(10)
			end)
			assert(ok and a == 2 and b == 20, tostring(a) .. " " .. tostring(b))
			local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
			local sum = 0
			for i in gen do sum = sum + i end
			assert(sum == 6)`},
		{"coroutine.running inside pcall", `
			assert(coroutine.running() == nil)
			assert(select(2, pcall(coroutine.running)) == nil)
			local co
			co = coroutine.create(function()
			  assert(coroutine.running() == co)
			  local ok, me = pcall(coroutine.running)
			  assert(ok and me == co)
			  local ok2, st = pcall(coroutine.status, co)
			  assert(st == "running", st)
			end)
			assert(coroutine.resume(co))`},
		{"too many nested pcalls end with an error", `
			local depth = 0
			local function f() depth = depth + 1; local ok, e = pcall(f); if not ok then error(e, 0) end end
			local ok, e = pcall(f)
			assert(not ok and e:find("stack overflow"), e)
			assert(depth > 100, depth)
			assert(pcall(function() return 1 end))`},
		{"go PCall keeps the caller's upvalues", `
			local n = 0
			local function t()
			  local ok, e = go_pcall(function() error({why = "x"}) end)
			  assert(not ok and e.why == "x")
			  n = n + 1
			  local ok2, v = go_pcall(function(a) return a + 1 end, 41)
			  assert(ok2 and v == 42)
			  n = n + 1
			end
			t()
			assert(n == 2, n)`},
		{"setfenv of the thread inside pcall", `
			local env = setmetatable({marker = true}, {__index = _G})
			pcall(setfenv, 0, env)
			assert(getfenv(0).marker == true)
			setfenv(0, _G)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := testState(t, Options{})
			if err := runLua(t, L, "t.lua", dedent(c.src)); err != nil {
				t.Fatalf("%v\n%s", err, err.(*Error).Traceback)
			}
		})
	}
}

// dedent removes the tabs that indent the scripts above, so that line
// numbers in them are the ones the comments say.
func dedent(src string) string {
	lines := strings.Split(strings.TrimLeft(src, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}

func TestRunContext(t *testing.T) {
	cases := []struct{ name, src string }{
		{"infinite loop", `while true do end`},
		{"loop of pcalls", `while true do pcall(function() end) end`},
		{"loop inside pcall", `pcall(function() while true do end end) while true do end`},
		{"catching the cancellation", `while true do pcall(function() while true do end end) end`},
		{"coroutine loop", `coroutine.resume(coroutine.create(function() while true do end end))`},
		{"xpcall handler loop", `xpcall(error, function() while true do end end)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := New(Options{})
			defer L.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := Run(ctx, L, c.src, "loop.lua")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Run = %v, want an error wrapping context.DeadlineExceeded", err)
			}
		})
	}
}

func TestRunContextCancelAndReuse(t *testing.T) {
	L := New(Options{})
	defer L.Close()
	// A coroutine made in one run is resumed in the next: it must follow the
	// new run's context, neither the old (cancelled) one nor none.
	ctx, cancel := context.WithCancel(context.Background())
	if err := Run(ctx, L, `co = coroutine.create(function() coroutine.yield() while spin do end return "ok" end)
		assert(coroutine.resume(co))`, "one.lua"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := Run(context.Background(), L, `spin = false; local ok, v = coroutine.resume(co); assert(ok and v == "ok", tostring(v))`, "two.lua"); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if err := Run(context.Background(), L, `co = coroutine.wrap(function() coroutine.yield() while true do end end); co()`, "three.lua"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	err := Run(ctx, L, `co()`, "four.lua")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if L.Context() != nil {
		t.Fatal("Run left its context on the state")
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		name, src, msg, reason string
		syntax                 bool
	}{
		{name: "string error", src: "error('boom')", msg: "r.lua:1: boom"},
		{name: "table error", src: "go_table('x')", msg: `r.lua:1: pods "x" not found`, reason: "NotFound"},
		{name: "other value", src: "error(setmetatable({}, {__tostring = function() return 'custom' end}))", msg: "custom"},
		{name: "go panic", src: "go_panic()", msg: "binding bug"},
		{name: "syntax error", src: "local = 1", msg: "r.lua", syntax: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := testState(t, Options{})
			err := runLua(t, L, "r.lua", c.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Run = %#v, want *Error", err)
			}
			if !strings.Contains(e.Message, c.msg) || e.Reason != c.reason {
				t.Fatalf("message %q reason %q, want %q %q", e.Message, e.Reason, c.msg, c.reason)
			}
			if errors.Is(err, ErrSyntax) != c.syntax {
				t.Fatalf("errors.Is(err, ErrSyntax) = %v", !c.syntax)
			}
		})
	}
}

func TestLibraries(t *testing.T) {
	var out bytes.Buffer
	L := testState(t, Options{Stdout: &out})
	src := `
		for _, name in ipairs{"io", "debug", "dofile", "loadfile", "_printregs", "channel"} do
		  assert(_G[name] == nil, name)
		end
		for _, name in ipairs{"execute", "exit", "remove", "rename", "setenv", "tmpname", "setlocale"} do
		  assert(os[name] == nil, "os." .. name)
		end
		for _, name in ipairs{"time", "date", "getenv", "clock", "difftime"} do
		  assert(type(os[name]) == "function", "os." .. name)
		end
		assert(package.loaded.os == os and package.loadlib == nil and package.path == "")
		assert(loadstring("return 1 + 1")() == 2)
		assert(load(function() local s = chunk; chunk = nil; return s end) ~= nil)
		for _, lib in ipairs{"string", "table", "math", "coroutine"} do assert(type(_G[lib]) == "table", lib) end
		local ok, e = pcall(string.rep, "x", 2^40)
		assert(not ok and e:find("too large"), e)
		assert(("ab"):rep(3) == "ababab" and string.rep("x", 0) == "" and string.rep("", 5) == "")
		print("hello", 1, nil, setmetatable({}, {__tostring = function() return "obj" end}))`
	if err := runLua(t, L, "libs.lua", src); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "hello\t1\tnil\tobj\n" {
		t.Fatalf("print wrote %q", got)
	}
}
