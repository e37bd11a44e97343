package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ImageConfig is the part of an image's config that decides how its
// containers run. Field names match containers.ImageConfig.
type ImageConfig struct {
	Entrypoint, Cmd, Env []string
	WorkingDir, User     string
}

// Image describes one named image of the store.
type Image struct {
	Name    string    // normalised: "busybox:latest"
	ID      string    // "sha256:<hex>" of the config JSON (Docker's image ID)
	Size    int64     // bytes of regular files over all layers
	Created time.Time // from the config; the import time when it has none
	Layers  []string  // diffIDs, lowest first
	Config  ImageConfig
}

// Options configures a Store. The zero value is the default.
type Options struct {
	// NoSync skips syncfs before a layer or record is renamed into
	// place. Faster, but a power loss may then leave a layer that looks
	// complete and is not. (A process crash never does.)
	NoSync bool
	// Pinned, when set, returns layer directories (as Resolve returns
	// them) that running containers use; GC keeps them even when no
	// image references them any more.
	Pinned func() []string
}

// Store is a local image store in one directory. See the package doc for
// the layout and the concurrency contract.
type Store struct {
	dir  string
	opts Options

	mu        sync.Mutex
	layerL    map[string]*sync.Mutex // per-diffID extraction locks
	busyboxMu sync.Mutex             // one EnsureBusybox assembles at a time

	// garbage says GC may free something: an image lost its last name
	// (a new import took it) or a layer was kept only because it was
	// pinned. Set when the store opens: another process may have left some.
	garbage atomic.Bool

	// Caches that make Resolve cost one stat (it runs per container
	// start). Configs and layer sizes are content-addressed, so they never
	// change; the refs are re-read when repositories.json is replaced.
	cacheMu sync.Mutex
	refsKey refsKey
	refs    map[string]string // read-only once cached
	configs map[string]*v1.ConfigFile
	sizes   map[string]int64
	names   map[string]string // reference as given -> Normalize's result
}

// Open opens (creating it if needed) the image store in dir and clears
// what a crashed import left in its tmp directory.
func Open(dir string, opts Options) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("image store %s: %w", dir, err)
	}
	s := &Store{dir: abs, opts: opts, layerL: map[string]*sync.Mutex{},
		configs: map[string]*v1.ConfigFile{}, sizes: map[string]int64{}, names: map[string]string{}}
	for _, d := range []string{s.layersDir(), s.imagesDir(), s.tmpDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("image store: %w", err)
		}
	}
	if err := os.Chmod(s.layersDir(), 0o755); err != nil {
		return nil, fmt.Errorf("image store: %w", err)
	}
	if err := s.clearTmp(); err != nil {
		return nil, err
	}
	s.garbage.Store(true)
	return s, nil
}

// HasGarbage tells whether GC may have something to free: an image lost
// its last name to a newer one (an import or build under the same name),
// or an earlier GC kept layers only because Options.Pinned listed them.
// It is cheap (no I/O), for callers that run GC when pins go away.
func (s *Store) HasGarbage() bool { return s.garbage.Load() }

// Dir is the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

func (s *Store) layersDir() string { return filepath.Join(s.dir, "layers") }
func (s *Store) imagesDir() string { return filepath.Join(s.dir, "images") }
func (s *Store) tmpDir() string    { return filepath.Join(s.dir, "tmp") }
func (s *Store) refsPath() string  { return filepath.Join(s.dir, "repositories.json") }

// layerRoot is the directory a layer is unpacked in: a Resolve result.
func (s *Store) layerRoot(hex string) string {
	return filepath.Join(s.layersDir(), hex, "root")
}

// clearTmp removes leftovers of crashed imports, but only when no other
// process is importing (it would hold the shared lock).
func (s *Store) clearTmp() error {
	unlock, ok, err := s.tryLock(gcLock)
	if err != nil || !ok {
		return err
	}
	defer unlock()
	ents, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return fmt.Errorf("image store: %w", err)
	}
	for _, e := range ents {
		if err := removeTree(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// List returns every named image, sorted by name.
func (s *Store) List() ([]Image, error) {
	refs, err := s.cachedRefs()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Image, 0, len(names))
	for _, n := range names {
		img, err := s.load(n, refs[n])
		if err != nil {
			return nil, err
		}
		out = append(out, *img)
	}
	return out, nil
}

// Get returns the image a reference names: a name in any form Normalize
// accepts, or an image ID ("sha256:<hex>").
func (s *Store) Get(ref string) (*Image, error) {
	refs, err := s.cachedRefs()
	if err != nil {
		return nil, err
	}
	if isID(ref) {
		return s.getByID(ref, refs)
	}
	n, err := s.normalize(ref)
	if err != nil {
		return nil, err
	}
	id, ok := refs[n]
	if !ok {
		return nil, fmt.Errorf("image %q: %w", n, ErrImageNotFound)
	}
	return s.load(n, id)
}

func (s *Store) getByID(id string, refs map[string]string) (*Image, error) {
	var names []string
	for n, v := range refs {
		if v == id {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("image %s: %w", id, ErrImageNotFound)
	}
	sort.Strings(names)
	return s.load(names[0], id)
}

// Resolve returns what the runtime needs to start a container of ref: the
// layer directories, lowest first, to stack as overlayfs lowerdirs (they
// are read-only by contract), and the image's config.
func (s *Store) Resolve(ref string) (layers []string, cfg ImageConfig, err error) {
	img, err := s.Get(ref)
	if err != nil {
		return nil, ImageConfig{}, err
	}
	layers = make([]string, len(img.Layers))
	for i, d := range img.Layers {
		layers[i] = s.layerRoot(strings.TrimPrefix(d, "sha256:"))
	}
	return layers, img.Config, nil
}

// load reads an image record and the sizes of its layers.
func (s *Store) load(nm, id string) (*Image, error) {
	cf, err := s.cachedConfig(id)
	if err != nil {
		return nil, err
	}
	img := &Image{Name: nm, ID: id, Created: cf.Created.Time, Config: configOf(cf)}
	for _, d := range cf.RootFS.DiffIDs {
		size, err := s.cachedSize(d.Hex)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", nm, err)
		}
		img.Layers = append(img.Layers, d.String())
		img.Size += size
	}
	return img, nil
}

// configOf copies the runtime's part of a config: callers may modify it
// without touching the cache.
func configOf(cf *v1.ConfigFile) ImageConfig {
	c := cf.Config
	return ImageConfig{Entrypoint: slices.Clone(c.Entrypoint), Cmd: slices.Clone(c.Cmd),
		Env: slices.Clone(c.Env), WorkingDir: c.WorkingDir, User: c.User}
}

func (s *Store) readConfig(id string) (*v1.ConfigFile, error) {
	p := filepath.Join(s.imagesDir(), strings.TrimPrefix(id, "sha256:")+".json")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("image %s: config missing: %w", id, ErrCorrupt)
	}
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", id, err)
	}
	var cf v1.ConfigFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("image %s: %w: %w", id, ErrCorrupt, err)
	}
	return &cf, nil
}

// readRefs reads the name -> ID map; the caller holds refsLock.
func (s *Store) readRefs() (map[string]string, error) {
	refs := map[string]string{}
	b, err := os.ReadFile(s.refsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return refs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("image store: %w", err)
	}
	if err := json.Unmarshal(b, &refs); err != nil {
		return nil, fmt.Errorf("image store: repositories.json: %w: %w", ErrCorrupt, err)
	}
	return refs, nil
}

// writeRefs replaces the name -> ID map atomically; the caller holds
// refsLock exclusively.
func (s *Store) writeRefs(refs map[string]string) error {
	b, err := json.MarshalIndent(refs, "", "  ")
	if err != nil {
		return err
	}
	err = s.writeFileAtomic(s.refsPath(), b)
	s.cacheMu.Lock()
	s.refs = nil // this process re-reads at once, whatever the stat says
	s.cacheMu.Unlock()
	return err
}

// setRef points name at id.
func (s *Store) setRef(nm, id string) error {
	unlock, err := s.lock(refsLock, true)
	if err != nil {
		return err
	}
	defer unlock()
	refs, err := s.readRefs()
	if err != nil {
		return err
	}
	if old, ok := refs[nm]; ok && old != id {
		s.garbage.Store(true)
	}
	refs[nm] = id
	return s.writeRefs(refs)
}

// Tag gives the image that src names a second name.
func (s *Store) Tag(src, dst string) (*Image, error) {
	unlock, err := s.lock(gcLock, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	img, err := s.Get(src)
	if err != nil {
		return nil, err
	}
	n, err := Normalize(dst)
	if err != nil {
		return nil, err
	}
	if err := s.setRef(n, img.ID); err != nil {
		return nil, err
	}
	return s.Get(n)
}
