package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/minspace/min/engine/daemonctl"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server"
	"github.com/minspace/min/engine/store"
)

// Options configure Run. The zero value is the default.
type Options struct {
	// Engine configures the engine Run opens.
	Engine engine.Options
	// Listen adds an HTTPS listener with a bearer token on this address
	// ("127.0.0.1:6443"; port 0 picks a free one, written to kubeconfig).
	Listen string
	// AllowNonLoopback lets Listen name an address other than loopback.
	AllowNonLoopback bool
	// StartTimeout bounds a detached engine's wait for the previous one to
	// release the state directory (default 30s).
	StartTimeout time.Duration
	// ShutdownTimeout bounds how long Run lets in-flight requests finish
	// (default 10s).
	ShutdownTimeout time.Duration
	// Log receives the engine's messages (default os.Stderr).
	Log io.Writer
	// Ready, if set, is called by Run once the socket answers.
	Ready func()
	// Detached is set in the re-executed engine: it waits for the state
	// directory instead of failing at once when another engine is still
	// closing it.
	Detached bool
	// Version overrides the Min version served (tests of mismatches).
	Version string
}

func (o Options) withDefaults() Options {
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	return o
}

// Run opens the engine of home and serves it until ctx ends or the process
// gets SIGTERM or SIGINT. Pods keep running after it returns.
func Run(ctx context.Context, home string, opts Options) error {
	opts = opts.withDefaults()
	logger := log.New(opts.Log, "min engine: ", log.LstdFlags)
	if err := daemonctl.EnsureHome(home); err != nil {
		return fmt.Errorf("engine: state directory: %w", err)
	}
	eng, err := openEngine(ctx, home, opts)
	if err != nil {
		return err
	}
	defer eng.Close()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := server.New(eng, server.Options{Log: logger, Version: opts.Version})
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	hs.RegisterOnShutdown(srv.CloseStreams)
	ul, err := listenSocket(home, logger)
	if err != nil {
		return err
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- hs.Serve(ul) }()
	defer os.Remove(SocketPath(home))
	if opts.Listen != "" {
		ts, err := serveTCP(home, opts, srv, logger, serveErr)
		if err != nil {
			shutdown(hs, nil, opts, logger)
			return err
		}
		defer shutdown(nil, ts, opts, logger)
	}
	if err := daemonctl.WriteFile0600(filepath.Join(home, PIDFile), []byte(strconv.Itoa(os.Getpid())+"\n")); err != nil {
		logger.Printf("writing the pid file: %v", err)
	}
	defer removePID(home)
	logger.Printf("Min %s (Kubernetes %s) serving %s, pid %d", cluster.Version, cluster.KubeVersion, SocketPath(home), os.Getpid())
	if opts.Ready != nil {
		opts.Ready()
	}
	select {
	case <-ctx.Done():
		logger.Printf("stopping: finishing requests in flight; pods keep running")
	case err := <-serveErr:
		logger.Printf("serving failed: %v", err)
	case <-homeRemoved(ctx, home, homeCheckInterval):
		logger.Printf("stopping: the state directory %s was removed", home)
	}
	shutdown(hs, nil, opts, logger)
	return nil
}

// openEngine opens the engine; a detached engine waits for a previous one
// to release the directory.
func openEngine(ctx context.Context, home string, opts Options) (*engine.Engine, error) {
	deadline := time.Now().Add(opts.StartTimeout)
	for {
		eng, err := engine.Open(home, opts.Engine)
		if err == nil {
			return eng, nil
		}
		if !errors.Is(err, store.ErrLocked) || !opts.Detached || time.Now().After(deadline) {
			if errors.Is(err, store.ErrLocked) {
				return nil, fmt.Errorf("an engine already runs for %s: %w", home, err)
			}
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// shutdown stops accepting, ends streams and waits for requests in flight.
func shutdown(plain, tls *http.Server, opts Options, logger *log.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownTimeout)
	defer cancel()
	for _, s := range []*http.Server{plain, tls} {
		if s == nil {
			continue
		}
		if err := s.Shutdown(ctx); err != nil {
			logger.Printf("shutdown: %v; closing the remaining connections", err)
			s.Close()
		}
	}
}

// removePID removes the pid file if it is still ours.
func removePID(home string) {
	if daemonctl.ReadPID(home) == os.Getpid() {
		os.Remove(filepath.Join(home, PIDFile))
	}
}

// listenSocket listens on home/min.sock, created 0600 under a temporary
// name and renamed into place so it is never reachable with looser
// permissions. The caller holds the store's lock: a socket file left there
// is stale.
func listenSocket(home string, logger *log.Logger) (net.Listener, error) {
	sock := SocketPath(home)
	tmp := filepath.Join(home, "min.sock.new"+strconv.Itoa(os.Getpid()))
	os.Remove(tmp)
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("engine: listening on %s: %w", sock, err)
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("engine: socket permissions: %w", err)
	}
	if err := os.Rename(tmp, sock); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("engine: placing the socket: %w", err)
	}
	return &peerListener{UnixListener: ul, uid: os.Geteuid(), logger: logger}, nil
}

// homeCheckInterval is how often a running engine checks that its state
// directory still exists.
const homeCheckInterval = 2 * time.Second

// homeRemoved is closed when home or its socket file is gone (a test's
// temporary folder removed, `rm -rf $MIN_HOME`), or home is another
// directory than at start (when the file system did not reuse its inode):
// no client can reach the engine any more and the store it holds is
// unlinked, so the engine stops instead of running on for nobody.
func homeRemoved(ctx context.Context, home string, every time.Duration) <-chan struct{} {
	gone := make(chan struct{})
	first, err := os.Stat(home)
	if err != nil {
		return gone // never closed: nothing to compare with
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now, err := os.Stat(home)
			if _, serr := os.Stat(SocketPath(home)); err != nil || serr != nil || !os.SameFile(first, now) {
				close(gone)
				return
			}
		}
	}()
	return gone
}
