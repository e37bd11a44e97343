package luavm

import (
	"os"
	"path/filepath"
	"testing"
)

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequire(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(dir, "util.lua"), `return {name = ..., twice = function(x) return 2 * x end}`)
	writeFile(t, filepath.Join(dir, "lib", "deep.lua"), `return "deep"`)
	writeFile(t, filepath.Join(dir, "pkg", "init.lua"), `return "pkg init"`)
	writeFile(t, filepath.Join(dir, "bad.lua"), `return (`)
	writeFile(t, filepath.Join(dir, "boom.lua"), `error("boom at load")`)
	writeFile(t, filepath.Join(outside, "secret.lua"), `return "escaped"`)
	writeFile(t, filepath.Join(outside, "hostpath.lua"), `return "from LUA_PATH"`)
	if err := os.Symlink(filepath.Join(outside, "secret.lua"), filepath.Join(dir, "link.lua")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LUA_PATH", filepath.Join(outside, "?.lua"))
	loader := func(name string) (string, bool) {
		switch name {
		case "min.helpers":
			return `return {hello = function() return "hi" end}`, true
		case "util": // the stdlib is searched before the script's folder
			return `return {name = "stdlib util", twice = function(x) return 2 * x end}`, true
		}
		return "", false
	}
	cases := []struct{ name, src string }{
		{"stdlib module", `assert(require("min.helpers").hello() == "hi")`},
		{"stdlib wins over the folder", `assert(require("util").name == "stdlib util")`},
		{"module from the script folder", `assert(require("lib.deep") == "deep")`},
		{"init.lua of a folder", `assert(require("pkg") == "pkg init")`},
		{"loaded once", `local a = require("lib.deep"); package.loaded["lib.deep"] = "cached"; assert(require("lib.deep") == "cached")`},
		{"preload", `package.preload.pre = function(n) return "pre " .. n end; assert(require("pre") == "pre pre")`},
		{"missing module", `local ok, e = pcall(require, "nope"); assert(not ok and e:find("module nope not found") and e:find("no file"), e)`},
		{"host LUA_PATH is ignored", `local ok, e = pcall(require, "hostpath"); assert(not ok, "loaded through LUA_PATH")`},
		{"no climbing out", `local ok, e = pcall(require, "..secret"); assert(not ok and e:find("invalid module name"), e)`},
		{"no slashes", `local ok, e = pcall(require, "lib/deep"); assert(not ok and e:find("invalid module name"), e)`},
		{"no symlink out of the folder", `local ok, e = pcall(require, "link"); assert(not ok, "followed a symlink out")`},
		{"syntax error in a module", `local ok, e = pcall(require, "bad"); assert(not ok and e:find("error loading module 'bad'"), e)`},
		{"runtime error in a module", `local ok, e = pcall(require, "boom"); assert(not ok and e:find("boom at load"), e)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := testState(t, Options{ScriptDir: dir, Loader: loader})
			if err := runLua(t, L, "req.lua", c.src); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRequireZeroOptions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "m.lua"), `return 1`)
	t.Chdir(dir)
	L := testState(t, Options{})
	if err := runLua(t, L, "z.lua", `assert(not pcall(require, "m"), "zero Options loaded a file")`); err != nil {
		t.Fatal(err)
	}
}

// TestRequireHashLine: a module whose first line starts with '#' (a
// runnable script's "#!/usr/bin/env minish") loads as with Lua 5.1's
// loadfile, and its error positions keep their line numbers.
func TestRequireHashLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "script.lua"), "#!/usr/bin/env minish\nreturn {answer = 42}\n")
	writeFile(t, filepath.Join(dir, "comment.lua"), "# any first line starting with '#'\nreturn 'ok'")
	writeFile(t, filepath.Join(dir, "only.lua"), "#!/usr/bin/env minish")
	writeFile(t, filepath.Join(dir, "crlf.lua"), "#!/usr/bin/env minish\r\nreturn 'crlf'\r\n")
	writeFile(t, filepath.Join(dir, "boom.lua"), "#!/usr/bin/env minish\n\nerror('boom')\n")
	writeFile(t, filepath.Join(dir, "syntax.lua"), "#!/usr/bin/env minish\n\nlocal = 1\nreturn 1\n")
	writeFile(t, filepath.Join(dir, "later.lua"), "return 1\n#!/not/first\n")
	cases := []struct{ name, src string }{
		{"shebang line", `assert(require("script").answer == 42)`},
		{"any # first line", `assert(require("comment") == "ok")`},
		{"nothing but the line", `assert(require("only") == true)`},
		{"CRLF line ends", `assert(require("crlf") == "crlf")`},
		{"runtime error keeps its line", `local ok, e = pcall(require, "boom"); assert(not ok and e:find("boom.lua:3: boom", 1, true), e)`},
		{"syntax error keeps its line", `local ok, e = pcall(require, "syntax"); assert(not ok and e:find("error loading module 'syntax'", 1, true) and e:find("line:3", 1, true), e)`},
		{"only the first line", `local ok, e = pcall(require, "later"); assert(not ok and e:find("error loading module 'later'", 1, true), e)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := testState(t, Options{ScriptDir: dir})
			if err := runLua(t, L, "req.lua", c.src); err != nil {
				t.Fatal(err)
			}
		})
	}
	if got := SkipHashLine("#!x\nreturn 1"); got != "\nreturn 1" {
		t.Errorf("SkipHashLine kept %q", got)
	}
}
