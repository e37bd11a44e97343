package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"github.com/tidwall/buntdb"
)

// Errors of the store itself (API errors come from engine/api).
var (
	// ErrLocked: another Store, in this or another process, has the directory open.
	ErrLocked = errors.New("store is locked")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrCorrupt: the file holds something the store cannot read back.
	ErrCorrupt = errors.New("store file is corrupt")
)

// SyncPolicy says when a commit is flushed to stable storage.
type SyncPolicy int

const (
	// SyncEverySecond writes each commit to the OS before acknowledging it
	// and fsyncs once a second: it survives a process crash.
	SyncEverySecond SyncPolicy = iota
	// SyncAlways fsyncs each commit before acknowledging it: it survives a
	// power loss.
	SyncAlways
	// SyncNever never fsyncs; the kernel flushes when it likes.
	SyncNever
)

func (p SyncPolicy) bunt() (buntdb.SyncPolicy, error) {
	switch p {
	case SyncEverySecond:
		return buntdb.Never, nil // the store's own syncer fsyncs (syncer.go)
	case SyncAlways:
		return buntdb.Always, nil
	case SyncNever:
		return buntdb.Never, nil
	}
	return 0, fmt.Errorf("store: unknown sync policy %d", int(p))
}

// Options configure Open. The zero value is the default.
type Options struct {
	Sync SyncPolicy
	// HistorySize is how many events are kept for watches that start
	// from a past revision (default 10000).
	HistorySize int
	// WatchBuffer is how many events a watcher may fall behind the newest
	// revision before its channel is closed (default HistorySize/2).
	WatchBuffer int
}

func (o Options) withDefaults() Options {
	if o.HistorySize <= 0 {
		o.HistorySize = 10000
	}
	if o.WatchBuffer <= 0 || o.WatchBuffer > o.HistorySize {
		o.WatchBuffer = max(o.HistorySize/2, 1)
	}
	return o
}

// File names inside the store directory.
const (
	dbFile   = "min.db"
	lockFile = "min.lock"
)

// Store is an open store directory. See the package documentation.
type Store struct {
	opts   Options
	db     *buntdb.DB
	lock   *os.File
	byType map[reflect.Type]*table
	byRes  map[string]*table
	repair int64   // bytes dropped from a torn tail at open
	syncer *syncer // not with SyncNever

	mu      sync.RWMutex // guards everything below and the tables
	closed  bool
	rev     int64
	hist    history
	pend    map[pendKey]bool // objects written by the batch being applied
	touched []*table         // tables written under this hold of the lock (see unlock)
	done    chan struct{}    // closed by Close: watchers stop
}

// Open opens (creating if needed) the store in dir. It takes the
// directory's lock, repairs a torn tail and loads every object.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	policy, err := opts.Sync.bunt()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	lock, err := acquireLock(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, err
	}
	s, err := openLocked(dir, opts, policy)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

func openLocked(dir string, opts Options, policy buntdb.SyncPolicy) (*Store, error) {
	path := filepath.Join(dir, dbFile)
	dropped, err := repairTail(path)
	if err != nil {
		return nil, err
	}
	db, err := buntdb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil { // make a new file's name durable
		_ = db.Close()
		return nil, err
	}
	var cfg buntdb.Config
	if err := db.ReadConfig(&cfg); err == nil {
		cfg.SyncPolicy = policy
		err = db.SetConfig(cfg)
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: configure %s: %w", path, err)
	}
	s := &Store{opts: opts, db: db, repair: dropped, done: make(chan struct{})}
	s.initTables()
	if err := s.load(); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.hist = newHistory(opts.HistorySize, s.rev)
	if opts.Sync != SyncNever {
		s.syncer = startSyncer(path, time.Second)
	}
	return s, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", dir, err)
	}
	return nil
}

// Close flushes the file, releases the lock and ends every watch. Calls
// after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	if s.syncer != nil {
		s.syncer.close()
	}
	err := s.db.Close()
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Revision is the store's current revision: the resourceVersion of the
// newest write.
func (s *Store) Revision() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// RepairedBytes is how many bytes of a torn tail Open cut from the file
// (0 when the file was intact).
func (s *Store) RepairedBytes() int64 { return s.repair }
