package luavm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func TestCompileNesting(t *testing.T) {
	nest := func(open, mid, close string, n int) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	cases := []struct {
		name, src string
		ok        bool
	}{
		{"100 nested functions", nest("function f() ", "", "end ", 100), true},
		{"100 concatenations", "return 'a'" + strings.Repeat("..'a'", 100), true},
		{"200 nested tables", "return " + nest("{", "", "}", 200), true},
		{"10000 nested functions", nest("function f() ", "", "end ", 10000), false},
		{"20000 unary minus", "return " + strings.Repeat("- ", 20000) + "1", false},
		{"20000 concatenations", "return 'a'" + strings.Repeat("..'a'", 20000), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			L := New(Options{})
			defer L.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := Run(ctx, L, c.src, "nest.lua")
			if c.ok && err != nil {
				t.Fatalf("Run: %v", err)
			}
			if !c.ok && (!errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "too many syntax levels")) {
				t.Fatalf("Run = %v, want a syntax error about syntax levels", err)
			}
			if _, err := Load(L, c.src, "nest.lua"); (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrSyntax)) {
				t.Fatalf("Load = %v, want ok=%v", err, c.ok)
			}
			L.SetGlobal("src", lua.LString(c.src))
			L.SetGlobal("ok", lua.LBool(c.ok))
			if err := Run(ctx, L, `local f, e = loadstring(src) assert((f ~= nil) == ok, e)`, "load.lua"); err != nil {
				t.Fatalf("loadstring: %v", err)
			}
		})
	}
}
