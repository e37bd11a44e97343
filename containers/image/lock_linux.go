package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Lock files. Always take gcLock before refsLock.
const (
	gcLock   = "gc.lock"   // shared: an import is running; exclusive: GC
	refsLock = "refs.lock" // guards repositories.json
)

// lock takes a flock on one of the store's lock files and returns its
// release. A fresh descriptor per call makes the lock work between
// goroutines of one process as well as between processes.
func (s *Store) lock(nm string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, nm), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("image store lock: %w", err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("image store lock %s: %w", nm, err)
	}
	return func() { f.Close() }, nil
}

// tryLock takes an exclusive lock without waiting; ok is false when
// someone else holds it.
func (s *Store) tryLock(nm string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(filepath.Join(s.dir, nm), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("image store lock: %w", err)
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("image store lock %s: %w", nm, err)
	}
	return func() { f.Close() }, true, nil
}

// syncDir flushes the file system holding path unless Options.NoSync.
func (s *Store) syncFS(path string) error {
	if s.opts.NoSync {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("syncfs %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file and a rename.
func (s *Store) writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil && !s.opts.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// removeTree deletes a directory tree, making read-only directories
// writable on the way when we are not root.
func removeTree(path string) error {
	err := os.RemoveAll(path)
	if err == nil || os.Geteuid() == 0 {
		return err
	}
	filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(path)
}
