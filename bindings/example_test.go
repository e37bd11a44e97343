package bindings_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
)

// Example embeds Min in a Go program: open an engine, make a Lua state
// with Min's modules, register a module of your own, and run a script with
// a context.
func Example() {
	home, _ := os.MkdirTemp("", "min-example")
	defer os.RemoveAll(home)
	// NoHostNode: this example works on objects only; without it (as
	// root) the engine registers the machine as a node and runs pods.
	eng, err := engine.Open(home, engine.Options{NoHostNode: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()

	s, err := bindings.New(bindings.Options{
		// The engine is asked for lazily, the first time the script
		// touches the cluster; a remote engine would fit here as well.
		Engine: func(context.Context) (cluster.Interface, error) { return eng, nil },
		Stdout: os.Stdout,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	// A module of our own: greet.hello(name).
	s.Register("greet", map[string]lua.LGFunction{
		"hello": func(L *lua.LState) int {
			L.Push(lua.LString("hello, " + strings.ToUpper(L.CheckString(1))))
			return 1
		},
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = s.DoString(ctx, `
		local greet = require("greet")
		print(greet.hello("min"))
		local p = pod.create{name = "web", image = "busybox", labels = {app = "web"}}
		print(p, p.metadata.labels.app)
		print(#pod.list{selector = "app=web"}, "pod(s) match app=web")
	`, "embed.lua")
	if err != nil {
		fmt.Println(err)
	}

	// Errors carry the script's position and the Kubernetes reason.
	err = s.DoString(ctx, `pod.delete("ghost")`, "embed.lua")
	var le *bindings.Error
	if errors.As(err, &le) {
		fmt.Println(le.Reason, "-", le.Message)
	}
	// Output:
	// hello, MIN
	// pod/default/web (Pending)	web
	// 1	pod(s) match app=web
	// NotFound - embed.lua:1: pods "ghost" not found
}
