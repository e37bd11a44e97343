package store

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// syncer fsyncs the database file once a second when it changed: the
// SyncEverySecond policy. buntdb's own EverySecond holds the database lock
// during the fsync, which stalls every writer for as long as the disk takes
// (tens of milliseconds measured here); fsync flushes the file's inode
// whichever descriptor wrote it, so the store opens the file by path and
// syncs it beside buntdb instead. Opening by path each time also follows
// buntdb's shrink, which renames a rewritten file into place.
type syncer struct {
	path  string
	dirty atomic.Bool
	syncs atomic.Int64 // fsyncs done, for tests
	stop  chan struct{}
	done  chan struct{}
}

func startSyncer(path string, every time.Duration) *syncer {
	y := &syncer{path: path, stop: make(chan struct{}), done: make(chan struct{})}
	go y.run(every)
	return y
}

// touch records a write to be synced.
func (y *syncer) touch() { y.dirty.Store(true) }

func (y *syncer) run(every time.Duration) {
	defer close(y.done)
	t := time.NewTicker(every)
	defer t.Stop()
	var ino uint64
	for {
		select {
		case <-y.stop:
			return
		case <-t.C:
		}
		cur := inode(y.path)
		renamed := cur != ino
		if y.dirty.Swap(false) || renamed {
			ino = cur
			y.sync(y.path)
		}
		if renamed {
			y.sync(filepath.Dir(y.path))
		}
	}
}

func (y *syncer) sync(path string) {
	f, err := os.Open(path)
	if err != nil {
		y.dirty.Store(true) // try again next tick
		return
	}
	if err := f.Sync(); err != nil {
		y.dirty.Store(true)
	} else {
		y.syncs.Add(1)
	}
	_ = f.Close()
}

// close stops the goroutine; buntdb syncs the file itself when it closes.
func (y *syncer) close() {
	close(y.stop)
	<-y.done
}

func inode(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
