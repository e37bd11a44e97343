package shell

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/minspace/min/bindings"
)

// verbNames are the kubectl verbs minish answers as its first argument
// (stdlib's min.kubectl implements them).
var verbNames = map[string]bool{
	"get": true, "describe": true, "create": true, "apply": true, "delete": true, "label": true,
	"annotate": true, "logs": true, "exec": true, "run": true, "scale": true, "explain": true,
	"config": true, "cordon": true, "uncordon": true, "drain": true, "help": true, "version": true,
	"edit": true, "port-forward": true,
}

// needsEngine reports whether a verb's command line will talk to the
// cluster: not help, config, or any --help.
func needsEngine(args []string) bool {
	if args[0] == "help" || args[0] == "config" {
		return false
	}
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" {
			return false
		}
	}
	return true
}

// runVerb runs `minish VERB args...` (args is os.Args[1:]) as kubectl
// would, through stdlib's kubectl.main, with the engine every other
// minish command uses. handled is false when args[0] is no verb.
func runVerb(args []string, opts Options) (code int, handled bool) {
	if len(args) == 0 || !verbNames[args[0]] {
		return 0, false
	}
	return runVerbIO(args, opts, os.Stdout, os.Stderr), true
}

// runVerbIO is runVerb with explicit output streams.
func runVerbIO(args []string, opts Options, stdout, stderr io.Writer) int {
	conn := newLazyEngine(opts)
	defer conn.close()
	if code, ok := quickGet(context.Background(), args, conn, stdout, stderr); ok {
		return code
	}
	if needsEngine(args) {
		conn.prefetch()
	}
	return runKubectl(args, conn, stdout, stderr)
}

// runKubectl runs the verb through stdlib's kubectl.main.
func runKubectl(args []string, conn *lazyEngine, stdout, stderr io.Writer) int {
	s, err := bindings.New(bindings.Options{Engine: conn.open, Stdout: stdout, Stderr: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, err := s.Kubectl(ctx, args)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
	}
	return code
}
