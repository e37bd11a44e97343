package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/repl"
	"github.com/minspace/min/engine/cluster"
)

const usage = `usage: minish [options] [script [args...]]
       minish [--embedded] VERB [args...]   (kubectl's verbs: minish help)
       minish engine [run|start|stop|status] [options]
  -e chunk     run the Lua chunk (may be repeated)
  -i           enter the REPL after running the script or chunks
  -n ns        start in namespace ns (namespace.use changes it)
  --dry-run    record mutations and print the plan instead of applying them
  --trace      print the Lua traceback with errors
  --embedded   run the engine inside this process instead of connecting to
               the engine daemon (which minish starts when none runs)
  -            run standard input as the script
Without a script: a REPL on a terminal, else standard input runs as one chunk.
`

// flags are minish's parsed command line.
type flags struct {
	chunks      []string
	interactive bool
	trace       bool
	dryRun      bool
	embedded    bool
	namespace   string
	script      string // "" none, "-" stdin
	args        []string
}

func parseFlags(argv []string) (flags, error) {
	var f flags
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "-e" || a == "-n":
			if i+1 == len(argv) {
				return f, fmt.Errorf("%s needs an argument", a)
			}
			i++
			if a == "-e" {
				f.chunks = append(f.chunks, argv[i])
			} else {
				f.namespace = argv[i]
			}
		case a == "-i":
			f.interactive = true
		case a == "--trace":
			f.trace = true
		case a == "--dry-run":
			f.dryRun = true
		case a == "--embedded":
			f.embedded = true
		case a == "-h" || a == "--help":
			return f, errHelp
		case a == "--":
			if i+1 < len(argv) {
				f.script, f.args = argv[i+1], argv[i+2:]
			}
			return f, nil
		case a == "-" || !strings.HasPrefix(a, "-"):
			f.script, f.args = a, argv[i+1:]
			return f, nil
		default:
			return f, fmt.Errorf("unknown option %s", a)
		}
	}
	return f, nil
}

var errHelp = errors.New("help")

// Options say how the shell reaches the engine. The zero value connects
// to the engine daemon that os.Executable() starts as "<binary> engine".
type Options struct {
	// Embedded, when set, opens the engine inside this process: every
	// command runs as with --embedded (min-engine sets it).
	Embedded func(home string, noHostNode bool) (cluster.Interface, error)
	// EngineCommand names the program and leading arguments that run the
	// engine daemon, for starting one in the background when none answers
	// (default: this binary and "engine").
	EngineCommand func() ([]string, error)
}

// Main runs minish's command line (args is os.Args[1:]) and returns the
// exit code. The caller handles `engine` (the daemon) itself.
func Main(args []string, opts Options) int {
	// --embedded first: the engine runs in this process, not as a daemon.
	_, args = splitEmbedded(args)
	// `minish kubeconfig`: a kubeconfig for the real kubectl (kubeconfig.go).
	if code, ok := runKubeconfig(args, opts, os.Stdout, os.Stderr); ok {
		return code
	}
	// `minish image load|import|list|rm|pull` (image.go).
	if code, ok := runImage(args, newLazyEngine(opts)); ok {
		return code
	}
	// `minish get pods` and the other kubectl verbs (verbs.go).
	if code, ok := runVerb(args, opts); ok {
		return code
	}
	return run(args, opts, os.Stdin, os.Stdout, os.Stderr)
}

// WantsEmbedded tells whether args (os.Args[1:]) ask for the engine inside
// the process: a leading --embedded, --embedded among the options before
// a script, or MIN_EMBEDDED=1.
func WantsEmbedded(args []string) bool {
	if os.Getenv(embeddedEnv) == "1" || (len(args) > 0 && args[0] == "--embedded") {
		return true
	}
	f, err := parseFlags(args)
	return err == nil && f.embedded
}

// run is minish without os.Exit, so that deferred closes happen first.
func run(argv []string, opts Options, stdin *os.File, stdout, stderr io.Writer) int {
	f, err := parseFlags(argv)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "minish: %v\n%s", err, usage)
		return 2
	}
	conn := newLazyEngine(opts)
	defer conn.close()
	scriptDir := "."
	if f.script != "" && f.script != "-" {
		scriptDir = filepath.Dir(f.script)
	}
	s, err := bindings.New(bindings.Options{Engine: conn.open, Stdout: stdout, Stderr: stderr,
		Namespace: f.namespace, DryRun: f.dryRun, ScriptDir: scriptDir})
	if err != nil {
		fmt.Fprintf(stderr, "minish: %v\n", err)
		return 1
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := runAll(ctx, s, f, stdin, stderr)
	for _, line := range s.Plan() {
		fmt.Fprintln(stdout, line)
	}
	if code == 0 && (f.interactive || (f.script == "" && len(f.chunks) == 0 && isTerminal(stdin))) {
		stop() // the REPL handles Ctrl-C itself
		if err := repl.Run(context.Background(), s, repl.Options{Stdin: stdin, Stdout: stdout, Stderr: stderr,
			HistoryFile: historyFile(conn.home), Banner: "Min shell (Lua 5.1). help() lists the modules; Ctrl-D exits."}); err != nil {
			fmt.Fprintf(stderr, "minish: %v\n", err)
			return 1
		}
	}
	return code
}

// runAll runs the -e chunks, then the script (or stdin when it is not a
// terminal and nothing else was asked).
func runAll(ctx context.Context, s *bindings.State, f flags, stdin *os.File, stderr io.Writer) int {
	for _, c := range f.chunks {
		if err := s.DoString(ctx, c, "(command line)"); err != nil {
			return report(stderr, err, f.trace)
		}
	}
	script := f.script
	if script == "" && len(f.chunks) == 0 && !f.interactive && !isTerminal(stdin) {
		script = "-"
	}
	var err error
	switch script {
	case "":
		return 0
	case "-":
		var src []byte
		if src, err = io.ReadAll(stdin); err == nil {
			err = s.DoString(ctx, string(src), "stdin", f.args...)
		}
	default:
		err = s.DoFile(ctx, script, f.args...)
	}
	if err != nil {
		return report(stderr, err, f.trace)
	}
	return 0
}

// report prints "minish: file:line: message" (and the traceback with
// --trace) and returns the exit code 1.
func report(stderr io.Writer, err error, trace bool) int {
	fmt.Fprintf(stderr, "minish: %v\n", err)
	var le *bindings.Error
	if trace && errors.As(err, &le) && le.Traceback != "" {
		fmt.Fprintln(stderr, le.Traceback)
	}
	return 1
}

func isTerminal(f *os.File) bool { return readline.IsTerminal(int(f.Fd())) }

func historyFile(home string) string {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return ""
	}
	return filepath.Join(home, "minish_history")
}
