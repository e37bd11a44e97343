package luavm

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/stdlib"
)

// cacheProbe touches every kind of constant and every instruction that
// reads the prototype's string constants (globals, fields, methods).
const cacheProbe = `
G = {n = 0}
local t = {name = "x", [1.5] = true, flag = false, none = nil}
function t:inc(k) G.n = G.n + k; return self end
local function va(...) return select("#", ...), ... end
t:inc(2):inc(3)
local s = ""
for k, v in pairs({a = 1}) do s = s .. k .. tostring(v) end
return G.n, t.name, t[1.5], t.flag, s, 2^53 + 0.5, "\0z", va(nil, "b")
`

func TestProtoCacheRoundTrip(t *testing.T) {
	srcs := map[string]string{"probe": cacheProbe}
	err := fs.WalkDir(stdlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".lua") {
			b, _ := fs.ReadFile(stdlib.FS, p)
			srcs[p] = string(b)
		}
		return err
	})
	if err != nil || len(srcs) < 2 {
		t.Fatalf("stdlib sources: %v (%d)", err, len(srcs))
	}
	L := New(Options{})
	defer L.Close()
	for name, src := range srcs {
		fn, err := compile(L, src, name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := encodeProto(fn.Proto)
		if err != nil {
			t.Fatal(name, err)
		}
		back, err := decodeProto(data)
		if err != nil {
			t.Fatal(name, err)
		}
		again, _ := encodeProto(back)
		if !bytes.Equal(data, again) {
			t.Errorf("%s: decoding and encoding again changed the prototype", name)
		}
		if !sameStringConstants(fn.Proto, back) {
			t.Errorf("%s: string constants differ from the compiler's", name)
		}
	}
}

// sameStringConstants compares the unexported string constants of two
// prototype trees.
func sameStringConstants(a, b *lua.FunctionProto) bool {
	get := func(p *lua.FunctionProto) []string {
		v := reflect.ValueOf(p).Elem().FieldByName("stringConstants")
		s := make([]string, v.Len())
		for i := range s {
			s[i] = v.Index(i).String() // String, unlike Interface, reads unexported fields
		}
		return s
	}
	if !reflect.DeepEqual(get(a), get(b)) || len(a.FunctionPrototypes) != len(b.FunctionPrototypes) {
		return false
	}
	for i := range a.FunctionPrototypes {
		if !sameStringConstants(a.FunctionPrototypes[i], b.FunctionPrototypes[i]) {
			return false
		}
	}
	return true
}

// A cached chunk runs as the compiled one does, from a second state (the
// next process) that finds the file.
func TestProtoCacheRunsTheSame(t *testing.T) {
	cache := ProtoCache{Dir: t.TempDir()}
	results := func() []string {
		L := New(Options{})
		defer L.Close()
		fn, err := cache.Compile(L, cacheProbe, "probe")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		if err := L.PCall(0, lua.MultRet, nil); err != nil {
			t.Fatal(err)
		}
		var out []string
		for i := 1; i <= L.GetTop(); i++ {
			out = append(out, L.Get(i).Type().String()+":"+L.Get(i).String())
		}
		return out
	}
	first := results()
	files, _ := filepath.Glob(filepath.Join(cache.Dir, "*.luac"))
	if len(files) != 1 {
		t.Fatalf("cache files after the first compile: %v", files)
	}
	if second := results(); !reflect.DeepEqual(first, second) {
		t.Errorf("from the cache:\n%v\ncompiled:\n%v", second, first)
	}
	want := "number:5 string:x boolean:true boolean:false string:a1 number:9007199254740992 string:\x00z number:2 nil:nil string:b"
	if got := strings.Join(first, " "); got != want {
		t.Errorf("probe results %q, want %q", got, want)
	}
}

// A damaged cache file is compiled over, and an edited source never meets
// the prototype of the old one.
func TestProtoCacheDamageAndEdits(t *testing.T) {
	cache := ProtoCache{Dir: t.TempDir()}
	L := New(Options{})
	defer L.Close()
	run := func(src string) lua.LValue {
		fn, err := cache.Compile(L, src, "chunk")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		L.Call(0, 1)
		defer L.Pop(1)
		return L.Get(-1)
	}
	run("return 1")
	files, _ := filepath.Glob(filepath.Join(cache.Dir, "*.luac"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		os.WriteFile(f, data[:len(data)/2], 0o600)
	}
	if v := run("return 1"); v != lua.LNumber(1) {
		t.Errorf("after damage: %v", v)
	}
	if v := run("return 2"); v != lua.LNumber(2) {
		t.Errorf("edited source: %v", v)
	}
	for _, bad := range [][]byte{nil, {1}, {1, 0xff, 0xff, 0xff, 0xff, 0x0f}, {2}} {
		if _, err := decodeProto(bad); err == nil {
			t.Errorf("decodeProto(%v) accepted it", bad)
		}
	}
}

// BenchmarkStdlibCompile compares compiling min.kubectl with decoding its
// cached prototype.
func BenchmarkStdlibCompile(b *testing.B) {
	src, err := fs.ReadFile(stdlib.FS, "min/kubectl.lua")
	if err != nil {
		b.Fatal(err)
	}
	L := New(Options{})
	defer L.Close()
	b.Run("compile", func(b *testing.B) {
		for range b.N {
			if _, err := compile(L, string(src), "kubectl"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		cache := ProtoCache{Dir: b.TempDir()}
		cache.Compile(L, string(src), "kubectl")
		b.ResetTimer()
		for range b.N {
			if _, err := cache.Compile(L, string(src), "kubectl"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
