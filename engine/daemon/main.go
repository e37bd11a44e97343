package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
)

// Usage is the help text of Main.
const Usage = `usage: minish engine [run|start|stop|status] [options]
  (none), run   run the engine in the foreground, serving $MIN_HOME/min.sock
  start         start it in the background (log: $MIN_HOME/engine.log)
  stop          stop it (SIGTERM; pods keep running)
  status        say whether it runs, its pid and version
options:
  --home DIR              state directory (default $MIN_HOME, /var/lib/min for root)
  --listen ADDR           also serve HTTPS with a bearer token on ADDR (127.0.0.1:PORT);
                          the kubeconfig is written to DIR/kubeconfig
  --allow-non-loopback    let --listen name an address other than loopback
  --no-host-node          do not run this machine as a node (no containers);
                          also MIN_NO_HOST_NODE=1
`

// Main is `minish engine …`: args are the arguments after "engine". It
// returns the process exit code. The detached engine Start launches runs
// Main too (see the package documentation).
func Main(args []string) int {
	return mainWith(args, os.Stdout, os.Stderr)
}

func mainWith(args []string, stdout, stderr io.Writer) int {
	verb := "run"
	if len(args) > 0 && (args[0] == "run" || args[0] == "start" || args[0] == "stop" || args[0] == "status") {
		verb, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("minish engine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	home := fs.String("home", cluster.DefaultHome(), "")
	listen := fs.String("listen", "", "")
	remote := fs.Bool("allow-non-loopback", false, "")
	detached := fs.Bool("detached", false, "")
	// MIN_NO_HOST_NODE=1 means the same as for every minish command.
	noHost := fs.Bool("no-host-node", os.Getenv("MIN_NO_HOST_NODE") == "1", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "minish engine: unexpected argument %q\n%s", fs.Arg(0), Usage)
		return 2
	}
	opts := Options{Listen: *listen, AllowNonLoopback: *remote, Detached: *detached, Log: stderr,
		Engine: engine.Options{NoHostNode: *noHost}}
	return runVerb(verb, *home, opts, stdout, stderr)
}

func runVerb(verb, home string, opts Options, stdout, stderr io.Writer) int {
	switch verb {
	case "start":
		st, err := daemonctl.Start(home, daemonctl.Options{Listen: opts.Listen,
			AllowNonLoopback: opts.AllowNonLoopback, NoHostNode: opts.Engine.NoHostNode})
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "engine started (pid %d), serving %s\n", st.PID, st.Socket)
	case "stop":
		pid, err := daemonctl.Stop(home, 30*time.Second)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "engine stopped (pid %d); pods keep running\n", pid)
	case "status":
		st, err := daemonctl.Status(home)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "engine running (pid %d), Min %s (Kubernetes %s), serving %s\n",
			st.PID, st.Version.MinVersion, st.Version.GitVersion, st.Socket)
	default:
		if err := Run(context.Background(), home, opts); err != nil {
			return fail(stderr, err)
		}
	}
	return 0
}

func fail(w io.Writer, err error) int {
	fmt.Fprintf(w, "minish engine: %v\n", err)
	return 1
}
