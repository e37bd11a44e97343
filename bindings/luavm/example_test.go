package luavm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"
)

// A script runs on a state from New, under a context.
func ExampleRun() {
	L := luavm.New(luavm.Options{Stdout: os.Stdout})
	defer L.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := luavm.Run(ctx, L, `
		local failures = 0
		local function count() failures = failures + 1 end
		for i = 1, 3 do
		  if not pcall(error, "boom") then count() end
		end
		print("failures:", failures)
		error("the end")`, "demo.lua")
	fmt.Println(err)
	// Output:
	// failures:	3
	// demo.lua:8: the end
}

// A binding raises Min's error table; pcall hands it to the script intact.
func ExampleRaiseReason() {
	L := luavm.New(luavm.Options{Stdout: os.Stdout})
	defer L.Close()
	L.SetGlobal("get", L.NewFunction(func(L *lua.LState) int {
		luavm.RaiseReason(L, "NotFound", "pods %q not found", L.CheckString(1))
		return 0
	}))
	err := luavm.Run(context.Background(), L, `
		local ok, e = pcall(get, "web")
		print(ok, e.reason, e.message)
		get("db")`, "get.lua")
	var lerr *luavm.Error
	if errors.As(err, &lerr) {
		fmt.Println(lerr.Reason, "|", lerr.Message)
	}
	// Output:
	// false	NotFound	get.lua:2: pods "web" not found
	// NotFound | get.lua:4: pods "db" not found
}
