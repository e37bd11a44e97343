package tests

import (
	"bytes"
	"context"
	"errors"
	"github.com/minspace/min/bindings"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings/luavm"
)

// Lua 5.1's official test files, run against the Lua state minish uses (bindings.New on luavm.New,
// with Min's pcall, xpcall, error, coroutine guards and require).
//
// Origin: the _lua5.1-tests folder of the gopher-lua v1.1.2 module
// (github.com/yuin/gopher-lua, MIT licence, © 2015 Yusuke Inuzuka), which
// carries the Lua 5.1 test suite (© Lua.org, PUC-Rio, MIT licence) as
// gopher-lua adapted it. The files are read from the module cache, not
// copied; the few lines that need a library Min does not open are patched
// below, each patch with its reason, and a patch that no longer applies
// fails the test.
//
// Which files: exactly those that plain gopher-lua passes, checked by
// running every file of the folder in lua.NewState with all libraries
// (the options of gopher-lua's own script_test.go): api, attrib, calls,
// checktable, closure, code, constructs, events, files, literals, locals,
// math, pm, sort, strings, vararg. (api, code and checktable only print
// that the internal testC library is absent, or define helpers.)
//
// Left out:
//   - files.lua: tests the io library and os.remove/rename/tmpname, none of
//     which Min opens; its os.date/os.time checks are run on their own
//     (lua51OSTime below).
//   - all.lua, main.lua: drivers that run the others with dofile and
//     os.execute; plain gopher-lua fails them too.
//   - db.lua, errors.lua, gc.lua, nextvar.lua: plain gopher-lua fails them
//     (debug library details, error message texts, incremental GC).
//   - big.lua, verybig.lua: plain gopher-lua does not finish them within
//     two minutes.

type lua51Patch struct{ old, new, why string }

// lua51Skip comments out the lines from first to last (both included).
func lua51Skip(first, last, why string) []lua51Patch {
	return []lua51Patch{
		{old: first, new: "--[==[ Min: " + why + "\n" + first, why: why},
		{old: last, new: last + "\n--]==]", why: why},
	}
}

var lua51Files = []struct {
	file    string
	patches []lua51Patch
}{
	{file: "api.lua"},
	{file: "attrib.lua", patches: append([]lua51Patch{
		{old: "assert(require\"io\" == io)\n", why: "Min opens no io library"},
		{old: "assert(require\"debug\" == debug)\n", why: "Min opens no debug library"},
	}, lua51Skip("local DIR = \"libs/\"", "package.path = oldpath",
		"these tests write modules with io and find them through package.path; "+
			"Min's require never uses package.path (bindings/luavm tests it)")...)},
	{file: "calls.lua", patches: []lua51Patch{{
		old: "assert(debug.getinfo(a).source == \"modname\")",
		new: "i = 0; assert(select(2, pcall(assert(load(read1(\"error'x'\"), \"modname\")))) == \"modname:1: x\")",
		why: "no debug library: the chunk name shows in an error position instead",
	}}},
	{file: "checktable.lua"},
	{file: "closure.lua", patches: append([]lua51Patch{
		{
			old: "  assert(debug.getinfo(1).currentline == debug.getinfo(foo).linedefined + 1)\n" +
				"  assert(debug.getinfo(2).currentline == debug.getinfo(goo).linedefined)\n",
			why: "no debug library (debug.getinfo)",
		}},
		lua51Skip("co = coroutine.create(function ()\n       coroutine.yield(getfenv(0))",
			"assert(select(2, coroutine.resume(co)) == a.a)", "no debug library (debug.setfenv on a thread)")...)},
	{file: "code.lua"},
	{file: "constructs.lua", patches: []lua51Patch{
		{old: "  assert(debug.getinfo(1, \"n\").name == 'F')\n", why: "no debug library (debug.getinfo)"},
	}},
	{file: "events.lua", patches: lua51Skip("mt = {}\ndebug.setmetatable(10, mt)", "debug.setmetatable(nil, {})",
		"no debug library (debug.setmetatable on numbers, booleans, nil)")},
	{file: "literals.lua", patches: append([]lua51Patch{{
		old: "return debug.getinfo(1).currentline",
		new: "return tonumber(select(2, pcall(error, '', 2)):match(':(%d+):'))",
		why: "no debug library: the current line comes from error's level 2 (pcall is level 1)",
	}}, lua51Skip("if os.setlocale(\"pt_BR\") or os.setlocale(\"ptb\") then",
		"   '\\a\\n >>> pt_BR locale not available: skipping decimal point tests <<<\\n\\a')\nend",
		"Min opens no os.setlocale")...)},
	{file: "locals.lua"},
	{file: "math.lua", patches: []lua51Patch{{
		old: "f = io.tmpfile()\nassert(f)\nf:write(\"a = {\")\ni = 1\nrepeat\n" +
			"  f:write(\"{\", math.sin(i), \", \", math.cos(i), \", \", i/3, \"},\\n\")\n" +
			"  i=i+1\nuntil i > 1000\nf:write(\"}\")\nf:seek(\"set\", 0)\n" +
			"assert(loadstring(f:read('*a')))()\nassert(f:close())\n",
		new: "local f = {\"a = {\"}\ni = 1\nrepeat\n" +
			"  f[#f+1] = \"{\" .. math.sin(i) .. \", \" .. math.cos(i) .. \", \" .. i/3 .. \"},\\n\"\n" +
			"  i=i+1\nuntil i > 1000\nf[#f+1] = \"}\"\n" +
			"assert(loadstring(table.concat(f)))()\n",
		why: "Min opens no io library: the same chunk is built in a string buffer",
	}}},
	{file: "pm.lua"},
	{file: "sort.lua"},
	{file: "strings.lua", patches: []lua51Patch{{
		old: "    if os.setlocale(l, w) then return true end",
		new: "    if false then return true end -- Min: no os.setlocale",
		why: "Min opens no os.setlocale",
	}}},
	{file: "vararg.lua"},
}

// lua51Dir returns the folder of the Lua 5.1 tests in the gopher-lua
// module that go.mod requires.
func lua51Dir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/gopher-lua").Output()
	if err != nil {
		t.Skipf("cannot locate the gopher-lua module (go list: %v)", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "_lua5.1-tests")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("gopher-lua module has no Lua 5.1 tests: %v", err)
	}
	return dir
}

func lua51Source(t *testing.T, dir, file string, patches []lua51Patch) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for _, p := range patches {
		if n := strings.Count(src, p.old); n != 1 {
			t.Fatalf("patch for %s (%s) matches %d times, want once: %q", file, p.why, n, p.old)
		}
		src = strings.Replace(src, p.old, p.new, 1)
	}
	return src
}

// runLua51 runs a test file and checks that it got to its end: the files
// print OK last, except api.lua and code.lua, which stop early without
// Lua's internal testC library, and checktable.lua, a library of helpers.
func runLua51(t *testing.T, dir, name, src string) {
	t.Helper()
	var out bytes.Buffer
	// The state minish runs: Min's modules loaded (bindings.New), Min's
	// pcall, error and require in place.
	st, err := bindings.New(bindings.Options{ScriptDir: dir, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	L := st.L
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err = luavm.Run(ctx, L, src, name); err != nil {
		var e *luavm.Error
		tb := ""
		if errors.As(err, &e) {
			tb = e.Traceback
		}
		t.Fatalf("%v\n%s\noutput:\n%s", err, tb, out.String())
	}
	switch name {
	case "checktable.lua":
	case "api.lua", "code.lua":
		if !strings.Contains(out.String(), "testC not active") {
			t.Fatalf("%s did not report the missing testC library; output:\n%s", name, out.String())
		}
	default:
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if last := lines[len(lines)-1]; last != "OK" {
			t.Fatalf("%s ended without printing OK; output ends with %q", name, last)
		}
	}
}

func TestLua51Conformance(t *testing.T) {
	dir := lua51Dir(t)
	for _, f := range lua51Files {
		t.Run(f.file, func(t *testing.T) {
			runLua51(t, dir, f.file, lua51Source(t, dir, f.file, f.patches))
		})
	}
}

// TestLua51OSTime runs the os.time, os.date and os.difftime part of
// files.lua, which Min opens; the rest of the file tests io.
func TestLua51OSTime(t *testing.T) {
	dir := lua51Dir(t)
	src := lua51Source(t, dir, "files.lua", []lua51Patch{
		{old: "== 60*2-2)\n\nio.output(io.stdout)\n", new: "== 60*2-2)\n\n", why: "Min opens no io library"},
		{old: "io.write(string.format('test done on %2.2d/%2.2d/%d', d, m, a))\n" +
			"io.write(string.format(', at %2.2d:%2.2d:%2.2d\\n', h, min, s))\n" +
			"io.write(string.format('%s\\n', _VERSION))",
			new: "print(string.format('test done on %2.2d/%2.2d/%d', d, m, a) ..\n" +
				"string.format(', at %2.2d:%2.2d:%2.2d', h, min, s))\n" +
				"print(_VERSION)\nprint('OK')",
			why: "print instead of io.write"},
	})
	start := strings.Index(src, "local t = os.time()\n-- T = os.date(")
	if start < 0 {
		t.Fatal("files.lua has no os.time section any more")
	}
	// Blank lines in place of the io part keep the line numbers.
	src = strings.Repeat("\n", strings.Count(src[:start], "\n")) + src[start:]
	runLua51(t, dir, "files.lua", src)
}
