package shell

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/minspace/min/engine/client"
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

// errClosed: the engine was asked for after the command ended.
var errClosed = errors.New("minish: the command has ended")

// lazyEngine connects on first use, so that a chunk that touches no
// cluster object starts nothing. By default it is a client of the engine
// daemon of home (started in the background when none answers, see
// daemonctl.ConnectWith); with Options.Embedded, it opens the engine in
// this process.
type lazyEngine struct {
	home  string
	opts  Options
	once  sync.Once
	eng   cluster.Interface
	err   error
	early chan *client.Client // prefetch's connection, nil when it found none
	quick *client.Client      // unchecked's client
}

func newLazyEngine(opts Options) *lazyEngine {
	return &lazyEngine{home: cluster.DefaultHome(), opts: opts}
}

func (l *lazyEngine) open(ctx context.Context) (cluster.Interface, error) {
	l.once.Do(func() {
		if c := l.prefetched(); c != nil {
			l.eng = c
			return
		}
		noHost := os.Getenv(noHostNodeEnv) == "1"
		if l.opts.Embedded != nil {
			l.eng, l.err = l.opts.Embedded(l.home, noHost)
			return
		}
		cmd, err := l.opts.engineCommand()
		if err != nil { // nothing to start an engine with, but one may run
			if c, derr := daemonctl.Dial(l.home); derr == nil {
				l.eng = c
				return
			}
			l.err = err
			return
		}
		l.eng, l.err = daemonctl.ConnectWith(l.home, daemonctl.Options{Command: cmd, NoHostNode: noHost})
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.eng, nil
}

// unchecked is the engine daemon's client without open's first round
// trip, which only checks that an engine answers (every request carries
// Min's version both ways, so another version still fails): a caller
// whose one request fails falls back to open, which starts an engine when
// none answers. With Options.Embedded it is open.
func (l *lazyEngine) unchecked(ctx context.Context) (cluster.Interface, error) {
	if l.opts.Embedded != nil {
		return l.open(ctx)
	}
	if l.quick == nil {
		l.quick = client.New(daemonctl.SocketPath(l.home), client.Options{})
	}
	return l.quick, nil
}

// prefetch starts connecting, in the background, to an engine daemon that
// already runs, for a command that will need it: in a cold process the
// connection and its first round trip take a few ms, which then overlap
// with loading min.kubectl. It never starts an engine (open does, as
// before, when prefetch found none) and does nothing for an embedded one.
func (l *lazyEngine) prefetch() {
	if l.opts.Embedded != nil {
		return
	}
	l.early = make(chan *client.Client, 1)
	go func() {
		c, err := daemonctl.Dial(l.home)
		if err != nil {
			c = nil
		}
		l.early <- c
	}()
}

// prefetched waits for prefetch's connection: nil when there was none.
func (l *lazyEngine) prefetched() *client.Client {
	if l.early == nil {
		return nil
	}
	c := <-l.early
	l.early = nil
	return c
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

// close closes the engine or the clients; a daemon keeps running.
func (l *lazyEngine) close() {
	if l.quick != nil {
		l.quick.Close()
	}
	l.once.Do(func() { // never opened: close what prefetch may have found
		if c := l.prefetched(); c != nil {
			c.Close()
		}
		l.err = errClosed
	})
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
