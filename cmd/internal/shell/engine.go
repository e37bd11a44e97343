package shell

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
)

// embeddedEnv, set to 1, runs the engine inside minish as --embedded does
// (tests use it to run every suite both ways).
const embeddedEnv = "MIN_EMBEDDED"

// noHostNodeEnv, set to 1, keeps the machine from running pods (tests, and
// object-only experiments as root); it also reaches an engine minish
// starts in the background.
const noHostNodeEnv = "MIN_NO_HOST_NODE"

// lazyEngine connects on first use, so that a chunk that touches no
// cluster object starts nothing. By default it is a client of the engine
// daemon of home (started in the background when none answers, see
// daemonctl.ConnectWith); with Options.Embedded, it opens the engine in
// this process.
type lazyEngine struct {
	home string
	opts Options
	once sync.Once
	eng  cluster.Interface
	err  error
}

func newLazyEngine(opts Options) *lazyEngine {
	return &lazyEngine{home: cluster.DefaultHome(), opts: opts}
}

func (l *lazyEngine) open(ctx context.Context) (cluster.Interface, error) {
	l.once.Do(func() {
		noHost := os.Getenv(noHostNodeEnv) == "1"
		if l.opts.Embedded != nil {
			l.eng, l.err = l.opts.Embedded(l.home, noHost)
			return
		}
		var cmd []string
		if cmd, l.err = l.opts.engineCommand(); l.err != nil {
			return
		}
		l.eng, l.err = daemonctl.ConnectWith(l.home, daemonctl.Options{Command: cmd, NoHostNode: noHost})
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.eng, nil
}

// engineCommand is Options.EngineCommand or its default.
func (o Options) engineCommand() ([]string, error) {
	if o.EngineCommand != nil {
		return o.EngineCommand()
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return []string{exe, "engine"}, nil
}

// close closes the engine or the client; a daemon keeps running.
func (l *lazyEngine) close() {
	if c, ok := l.eng.(io.Closer); ok {
		c.Close()
	}
}

// splitEmbedded removes a leading --embedded from args.
func splitEmbedded(args []string) (embedded bool, rest []string) {
	if len(args) > 0 && args[0] == "--embedded" {
		return true, args[1:]
	}
	return false, args
}
