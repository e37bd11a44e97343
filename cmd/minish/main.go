package main

import (
	"fmt"
	"os"

	"github.com/minspace/min/cmd/internal/shell"
)

func main() {
	args := os.Args[1:]
	// The daemon and the embedded engine live in min-engine.
	if (len(args) > 0 && args[0] == "engine") || shell.WantsEmbedded(args) {
		os.Exit(execEngine(args))
	}
	os.Exit(shell.Main(args, shell.Options{EngineCommand: engineCommand}))
}

// engineCommand is how this minish starts the engine daemon.
func engineCommand() ([]string, error) {
	path, err := enginePath()
	if err != nil {
		return nil, err
	}
	return []string{path, "engine"}, nil
}

// execEngine replaces this process with min-engine and the same
// arguments; it returns only when that fails.
func execEngine(args []string) int {
	path, err := enginePath()
	if err == nil {
		err = execProgram(path, args)
	}
	fmt.Fprintf(os.Stderr, "minish: %v\n", err)
	return 1
}
