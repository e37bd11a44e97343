package main

import (
	"os"

	"github.com/minspace/min/cmd/internal/shell"
	"github.com/minspace/min/containers"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemon"
)

func main() {
	// A re-exec of this program as a pod's shim runs that role and never
	// returns (when min-shim is not beside it).
	containers.Init()
	// `min-engine engine [run|start|stop|status]`: the engine daemon.
	if len(os.Args) > 1 && os.Args[1] == "engine" {
		os.Exit(daemon.Main(os.Args[2:]))
	}
	// Anything else is minish with the engine in this process.
	os.Exit(shell.Main(os.Args[1:], shell.Options{Embedded: openEngine}))
}

// openEngine opens the engine of home in this process.
func openEngine(home string, noHostNode bool) (cluster.Interface, error) {
	e, err := engine.Open(home, engine.Options{NoHostNode: noHostNode})
	if err != nil {
		return nil, err // never a typed nil in the interface
	}
	return e, nil
}
