package image

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// refsKey identifies one version of repositories.json. Every write
// replaces the file by a rename, so a new version has a new inode.
// Another process's write could in theory reuse an inode within one
// timestamp tick at the same size; the engine is the store's one writer in
// practice, and this process's own writes drop the cache outright.
type refsKey struct {
	ino, size, mtime, ctime int64
}

// cachedRefs returns the name -> ID map without a lock: writers replace
// the file atomically, so a reader sees the old map or the new one. The
// map returned must not be modified.
func (s *Store) cachedRefs() (map[string]string, error) {
	var key refsKey
	st, err := os.Stat(s.refsPath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		sys := st.Sys().(*syscall.Stat_t)
		key = refsKey{int64(sys.Ino), st.Size(), st.ModTime().UnixNano(), sys.Ctim.Nano()}
	}
	s.cacheMu.Lock()
	if s.refs != nil && key == s.refsKey {
		refs := s.refs
		s.cacheMu.Unlock()
		return refs, nil
	}
	s.cacheMu.Unlock()
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.refs, s.refsKey = refs, key
	s.cacheMu.Unlock()
	return refs, nil
}

// cachedConfig returns a parsed image config; content-addressed, so a
// cached one is never stale. The result must not be modified.
func (s *Store) cachedConfig(id string) (*v1.ConfigFile, error) {
	s.cacheMu.Lock()
	cf, ok := s.configs[id]
	s.cacheMu.Unlock()
	if ok {
		return cf, nil
	}
	cf, err := s.readConfig(id)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.configs[id] = cf
	s.cacheMu.Unlock()
	return cf, nil
}

// cachedSize returns a layer's size, checking once that it is unpacked.
func (s *Store) cachedSize(hex string) (int64, error) {
	s.cacheMu.Lock()
	n, ok := s.sizes[hex]
	s.cacheMu.Unlock()
	if ok {
		return n, nil
	}
	li, err := s.readLayerInfo(hex)
	if err != nil {
		return 0, err
	}
	s.cacheMu.Lock()
	s.sizes[hex] = li.Size
	s.cacheMu.Unlock()
	return li.Size, nil
}

// forgetCached drops cache entries of what GC deleted.
func (s *Store) forgetCached(configs, layers []string) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	for _, hx := range configs {
		delete(s.configs, "sha256:"+hx)
	}
	for _, hx := range layers {
		delete(s.sizes, hx)
	}
}

// normalize is Normalize with a memory: pods name few distinct images and
// Resolve runs per container start. The memory is dropped when it grows
// past a bound, so odd callers cannot make it grow for ever.
func (s *Store) normalize(ref string) (string, error) {
	s.cacheMu.Lock()
	n, ok := s.names[ref]
	s.cacheMu.Unlock()
	if ok {
		return n, nil
	}
	n, err := Normalize(ref)
	if err != nil {
		return "", err
	}
	s.cacheMu.Lock()
	if len(s.names) >= 1024 {
		clear(s.names)
	}
	s.names[ref] = n
	s.cacheMu.Unlock()
	return n, nil
}
