package main

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemon"
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
// daemon.ConnectWith); embedded, it opens the engine in this process.
type lazyEngine struct {
	home     string
	embedded bool
	once     sync.Once
	eng      cluster.Interface
	err      error
}

func newLazyEngine(embedded bool) *lazyEngine {
	return &lazyEngine{home: cluster.DefaultHome(), embedded: embedded || os.Getenv(embeddedEnv) == "1"}
}

func (l *lazyEngine) open(ctx context.Context) (cluster.Interface, error) {
	l.once.Do(func() {
		opts := engine.Options{NoHostNode: os.Getenv(noHostNodeEnv) == "1"}
		if l.embedded {
			var e *engine.Engine
			if e, l.err = engine.Open(l.home, opts); l.err == nil {
				l.eng = e // never a typed nil in the interface
			}
			return
		}
		var c cluster.Interface
		if c, l.err = daemon.ConnectWith(l.home, daemon.Options{Engine: opts}); l.err == nil {
			l.eng = c
		}
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.eng, nil
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
