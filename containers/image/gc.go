package image

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Remove deletes the name from the store, like `docker rmi`: the image
// goes when no other name points to it, and its layers go when no other
// image uses them (and Options.Pinned does not list them).
func (s *Store) Remove(ref string) error {
	var nm string
	if isID(ref) {
		nm = ref
	} else {
		n, err := Normalize(ref)
		if err != nil {
			return err
		}
		nm = n
	}
	unlockGC, err := s.lock(gcLock, true)
	if err != nil {
		return err
	}
	defer unlockGC()
	if err := s.dropRefs(nm); err != nil {
		return err
	}
	return s.collect()
}

// dropRefs removes a name, or every name of an image ID.
func (s *Store) dropRefs(nm string) error {
	unlock, err := s.lock(refsLock, true)
	if err != nil {
		return err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return err
	}
	n := len(refs)
	delete(refs, nm)
	for k, id := range refs {
		if id == nm {
			delete(refs, k)
		}
	}
	if len(refs) == n {
		return fmt.Errorf("image %q: %w", nm, ErrImageNotFound)
	}
	return s.writeRefs(refs)
}

// GC deletes image configs no name points to and layers no image uses.
// Remove runs it; call it again to free layers that were pinned then.
func (s *Store) GC() error {
	unlock, err := s.lock(gcLock, true)
	if err != nil {
		return err
	}
	defer unlock()
	return s.collect()
}

// collect is GC's work; the caller holds gcLock exclusively, so no import
// is between unpacking a layer and naming its image.
func (s *Store) collect() (err error) {
	s.garbage.Store(false) // before reading: a concurrent setter is not lost
	defer func() {
		if err != nil {
			s.garbage.Store(true)
		}
	}()
	unlock, err := s.lock(refsLock, false)
	if err != nil {
		return err
	}
	refs, err := s.readRefs()
	unlock()
	if err != nil {
		return err
	}
	live := map[string]bool{}
	keep := map[string]bool{}
	for _, id := range refs {
		live[strings.TrimPrefix(id, "sha256:")] = true
		cf, err := s.readConfig(id)
		if err != nil {
			return err
		}
		for _, d := range cf.RootFS.DiffIDs {
			keep[d.Hex] = true
		}
	}
	if s.opts.Pinned != nil {
		for _, p := range s.opts.Pinned() {
			hx := filepath.Base(filepath.Dir(p))
			if !keep[hx] && isDir(filepath.Join(s.layersDir(), hx)) {
				s.garbage.Store(true) // kept for its pin alone: free it later
			}
			keep[hx] = true
		}
	}
	configs, err := s.sweep(s.imagesDir(), ".json", live)
	s.forgetCached(configs, nil)
	if err != nil {
		return err
	}
	layers, err := s.sweep(s.layersDir(), "", keep)
	s.forgetCached(nil, layers)
	return err
}

// sweep deletes the entries of dir (names = hex + suffix) not in keep and
// returns the hex names it deleted. Each goes to tmp by a rename first, so
// none is ever seen half deleted.
func (s *Store) sweep(dir, suffix string, keep map[string]bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("image store: %w", err)
	}
	var gone []string
	for _, e := range ents {
		hx, ok := strings.CutSuffix(e.Name(), suffix)
		if !ok || keep[hx] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		trash, err := os.MkdirTemp(s.tmpDir(), "gc-")
		if err != nil {
			return gone, err
		}
		if err := os.Rename(filepath.Join(dir, e.Name()), filepath.Join(trash, e.Name())); err != nil {
			return gone, fmt.Errorf("image store gc: %w", err)
		}
		gone = append(gone, hx)
		if err := removeTree(trash); err != nil {
			return gone, fmt.Errorf("image store gc: %w", err)
		}
	}
	return gone, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
