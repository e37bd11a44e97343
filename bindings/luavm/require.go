package luavm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// installRequire makes require search package.preload, then the embedded
// stdlib (Options.Loader), then the script's folder (Options.ScriptDir),
// and nothing else: package.path and package.cpath are emptied and
// package.loadlib removed, so the host's LUA_PATH plays no part.
func (v *vm) installRequire(L *lua.LState) {
	loaders, ok := L.G.Registry.RawGetString("_LOADERS").(*lua.LTable)
	if !ok {
		return
	}
	preload := loaders.RawGetInt(1)
	for i := loaders.Len(); i >= 1; i-- {
		loaders.RawSetInt(i, lua.LNil)
	}
	loaders.RawSetInt(1, preload)
	loaders.RawSetInt(2, L.NewFunction(v.search))
	if pkg, ok := L.G.Global.RawGetString("package").(*lua.LTable); ok {
		pkg.RawSetString("path", lua.LString(""))
		pkg.RawSetString("cpath", lua.LString(""))
		pkg.RawSetString("loadlib", lua.LNil)
	}
}

// search is the package.loaders entry for Min's stdlib and the script's
// folder. Like every loader it returns the module's chunk, or a string that
// says where it looked.
func (v *vm) search(L *lua.LState) int {
	name := L.CheckString(1)
	var tried []string
	if v.opts.Loader != nil {
		if src, ok := v.opts.Loader(name); ok {
			chunk := "stdlib/" + strings.ReplaceAll(name, ".", "/") + ".lua"
			fn, err := v.opts.Cache.Compile(L, src, chunk)
			return pushChunk(L, name, chunk, fn, err)
		}
		tried = append(tried, fmt.Sprintf("no module '%s' in Min's stdlib", name))
	}
	if v.opts.ScriptDir != "" {
		rel, err := modulePath(name)
		if err != nil {
			L.Push(lua.LString(err.Error()))
			return 1
		}
		for _, file := range []string{rel + ".lua", filepath.Join(rel, "init.lua")} {
			src, err := readInside(v.opts.ScriptDir, file)
			if err == nil {
				chunk := filepath.Join(v.opts.ScriptDir, file)
				fn, err := compile(L, SkipHashLine(src), chunk)
				return pushChunk(L, name, chunk, fn, err)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				L.RaiseError("error loading module '%s': %v", name, err)
			}
			tried = append(tried, fmt.Sprintf("no file '%s'", filepath.Join(v.opts.ScriptDir, file)))
		}
	}
	L.Push(lua.LString(strings.Join(tried, "\n\t")))
	return 1
}

func pushChunk(L *lua.LState, name, chunk string, fn *lua.LFunction, err error) int {
	if err != nil {
		L.RaiseError("error loading module '%s' from '%s':\n\t%v", name, chunk, err)
	}
	L.Push(fn)
	return 1
}

// SkipHashLine drops a first line that starts with '#' (a script's
// "#!/usr/bin/env minish" line) as Lua 5.1's loadfile does, so that a
// script can be run and required alike. The line's newline stays, so line
// numbers in errors do not move.
func SkipHashLine(src string) string {
	if !strings.HasPrefix(src, "#") {
		return src
	}
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		return src[i:]
	}
	return ""
}

// modulePath turns "a.b" into "a/b". Each part must be a plain file name
// ([A-Za-z0-9_-]), so a module name never reaches outside the folder.
func modulePath(name string) (string, error) {
	parts := strings.Split(name, ".")
	for _, p := range parts {
		if p == "" || strings.IndexFunc(p, badModuleRune) >= 0 {
			return "", fmt.Errorf("invalid module name '%s' (parts are letters, digits, '_' and '-', joined by '.')", name)
		}
	}
	return filepath.Join(parts...), nil
}

func badModuleRune(r rune) bool {
	return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}

// readInside reads dir/file without following a symbolic link out of dir.
func readInside(dir, file string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	b, err := root.ReadFile(file)
	return string(b), err
}
