package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Annotations that name an image inside an OCI layout.
const (
	annotRefName        = "org.opencontainers.image.ref.name"
	annotContainerdName = "io.containerd.image.name"
)

// importV1 stores a go-containerregistry image under nm: every layer
// unpacked (once per diffID), then the config kept byte for byte, so the
// image ID is the one Docker shows.
func (s *Store) importV1(nm string, img v1.Image) (*Image, error) {
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w", nm, err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w: %w", nm, ErrCorrupt, err)
	}
	if cf.OS != "" && cf.OS != "linux" {
		return nil, fmt.Errorf("image %s is for %s: %w", nm, cf.OS, ErrUnsupportedFormat)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("image %s: layers: %w", nm, err)
	}
	if len(layers) != len(cf.RootFS.DiffIDs) {
		return nil, fmt.Errorf("image %s: %d layers, %d diffIDs: %w", nm, len(layers), len(cf.RootFS.DiffIDs), ErrCorrupt)
	}
	if err := s.ensureLayers(cf.RootFS.DiffIDs, layers); err != nil {
		return nil, fmt.Errorf("image %s: %w", nm, err)
	}
	return s.commitRaw(nm, raw)
}

// ensureLayers unpacks the layers not in the store yet, three at a time
// (a pull downloads them in parallel, as containerd does).
func (s *Store) ensureLayers(diffs []v1.Hash, layers []v1.Layer) error {
	errs := make([]error, len(layers))
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for i, l := range layers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, errs[i] = s.ensureLayer(diffs[i], l.Uncompressed)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// importDockerArchive imports a `docker save` archive (plain or gzip). With
// no name, the image gets every tag the archive gives it.
func (s *Store) importDockerArchive(want, p string) (*Image, error) {
	m, opener, cleanup, err := s.openDockerArchive(p)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", p, err)
	}
	defer cleanup()
	nm, tag, err := pickArchiveImage(m, want)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", p, err)
	}
	img, err := tarball.Image(opener, tag)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w: %w", p, ErrCorrupt, err)
	}
	out, err := s.importV1(nm, img)
	if err != nil || want != "" {
		return out, err
	}
	// Like `docker load`: every tag the archive gives the image.
	for _, t := range m[0].RepoTags[1:] {
		if n, err := Normalize(t); err == nil {
			if err := s.setRef(n, out.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// pickArchiveImage chooses the image of a docker archive: the one tagged
// want, the only one, or (want empty) the only one's first tag.
func pickArchiveImage(m tarball.Manifest, want string) (string, *name.Tag, error) {
	if want == "" {
		if len(m) != 1 || len(m[0].RepoTags) == 0 {
			return "", nil, fmt.Errorf("%w: the archive holds %d images; name the one to import", ErrInvalidName, len(m))
		}
		want = m[0].RepoTags[0]
	}
	nm, err := Normalize(want)
	if err != nil {
		return "", nil, err
	}
	tag, err := name.NewTag(nm)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrInvalidName, err)
	}
	for _, d := range m {
		for _, t := range d.RepoTags {
			if rt, err := name.NewTag(t); err == nil && rt.Name() == tag.Name() {
				return nm, &tag, nil
			}
		}
	}
	if len(m) == 1 {
		return nm, nil, nil
	}
	return "", nil, fmt.Errorf("%w: no image tagged %s among the archive's %d", ErrImageNotFound, nm, len(m))
}

// importLayout imports from an OCI image layout directory.
func (s *Store) importLayout(want, dir string) (*Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w: %w", dir, ErrCorrupt, err)
	}
	img, named, err := pickIndexImage(idx, want, 0)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", dir, err)
	}
	if want == "" {
		want = named
	}
	nm, err := requireName(want)
	if err != nil {
		return nil, err
	}
	return s.importV1(nm, img)
}

// openDockerArchive reads the manifest of a `docker save` archive (a gzip
// one is decompressed aside first) and returns it with the opener that
// tarball.Image reads the images through; cleanup removes what it made.
func (s *Store) openDockerArchive(p string) (tarball.Manifest, tarball.Opener, func(), error) {
	cleanup := func() {}
	if isGzip(p) {
		plain, done, err := s.decompressTo(p)
		if err != nil {
			return nil, nil, nil, err
		}
		p, cleanup = plain, done
	}
	opener := func() (io.ReadCloser, error) { return os.Open(p) }
	m, err := tarball.LoadManifest(opener)
	if err != nil {
		cleanup()
		return nil, nil, nil, fmt.Errorf("manifest.json: %w: %w", ErrCorrupt, err)
	}
	return m, opener, cleanup, nil
}

// importLayoutTar unpacks a tar of an OCI layout aside, then imports it.
func (s *Store) importLayoutTar(want, p string) (img *Image, err error) {
	err = s.withLayoutTar(p, "import", func(dir string) (err error) {
		img, err = s.importLayout(want, dir)
		return err
	})
	return img, err
}

// withLayoutTar unpacks the tar (maybe gzipped) of an OCI layout at p into
// a temporary folder, calls fn with the layout's folder and removes it.
// verb names the operation in an unpacking error.
func (s *Store) withLayoutTar(p, verb string, fn func(dir string) error) error {
	tmp, err := os.MkdirTemp(s.tmpDir(), "layout-")
	if err != nil {
		return err
	}
	defer removeTree(tmp)
	r, err := openMaybeGzip(p)
	if err != nil {
		return err
	}
	defer r.Close()
	dir := filepath.Join(tmp, "layout")
	if _, err := extractTar(r, dir, extractOptions{plain: true}); err != nil {
		if verb == "" {
			return err
		}
		return fmt.Errorf("%s %s: %w", verb, p, err)
	}
	return fn(dir)
}

// pickIndexImage finds the image for this platform in an index, preferring
// entries whose ref name annotation matches want. It also returns the
// name the layout gives the image, if any.
func pickIndexImage(idx v1.ImageIndex, want string, depth int) (v1.Image, string, error) {
	if depth > 4 {
		return nil, "", fmt.Errorf("%w: indexes nested too deep", ErrUnsupportedFormat)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	for _, d := range orderByName(im.Manifests, want) {
		if d.Platform != nil && !platformOK(d.Platform) {
			continue
		}
		switch {
		case d.MediaType.IsImage():
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			return img, d.Annotations[annotContainerdName], nil
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			img, named, err := pickIndexImage(child, want, depth+1)
			if named == "" {
				named = d.Annotations[annotContainerdName]
			}
			return img, named, err
		}
	}
	return nil, "", fmt.Errorf("%w: no linux/%s image in the layout", ErrImageNotFound, runtime.GOARCH)
}

// orderByName puts descriptors whose name annotations match want first.
func orderByName(ds []v1.Descriptor, want string) []v1.Descriptor {
	if want == "" {
		return ds
	}
	nm, _ := Normalize(want)
	var first, rest []v1.Descriptor
	for _, d := range ds {
		if matchesName(d, want, nm) {
			first = append(first, d)
		} else {
			rest = append(rest, d)
		}
	}
	return append(first, rest...)
}

func matchesName(d v1.Descriptor, want, nm string) bool {
	for _, k := range []string{annotRefName, annotContainerdName} {
		v := d.Annotations[k]
		if v == "" {
			continue
		}
		if v == want {
			return true
		}
		// An OCI ref.name is often a bare tag: "v2" names "app:v2".
		if i := strings.LastIndex(nm, ":"); i >= 0 && !strings.ContainsAny(v, "/:") && v == nm[i+1:] {
			return true
		}
		if n, err := Normalize(v); err == nil && n == nm {
			return true
		}
	}
	return false
}

func platformOK(p *v1.Platform) bool {
	return (p.OS == "" || p.OS == "linux") && (p.Architecture == "" || p.Architecture == runtime.GOARCH)
}

// newConfig returns a config for a new image, starting from base's.
func newConfig(base *v1.ConfigFile) *v1.ConfigFile {
	cf := &v1.ConfigFile{OS: "linux", Architecture: runtime.GOARCH, RootFS: v1.RootFS{Type: "layers"}}
	if base != nil {
		cp := *base
		cp.Config.Env = append([]string(nil), base.Config.Env...)
		cp.RootFS.DiffIDs = append([]v1.Hash(nil), base.RootFS.DiffIDs...)
		cp.History = append([]v1.History(nil), base.History...)
		cf = &cp
	}
	cf.Created = v1.Time{Time: time.Now().UTC().Truncate(time.Second)}
	return cf
}

// appendLayer records a new top layer in a config.
func appendLayer(cf *v1.ConfigFile, diffID, comment string) error {
	h, err := v1.NewHash(diffID)
	if err != nil {
		return fmt.Errorf("%w: diffID %q: %w", ErrCorrupt, diffID, err)
	}
	cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, h)
	cf.History = append(cf.History, v1.History{Created: cf.Created, CreatedBy: "min: " + comment})
	return nil
}

// commitImage stores a config the store made and names it.
func (s *Store) commitImage(nm string, cf *v1.ConfigFile) (*Image, error) {
	raw, err := json.Marshal(cf)
	if err != nil {
		return nil, err
	}
	return s.commitRaw(nm, raw)
}

// commitRaw stores raw config bytes as an image and points nm at it. The
// caller holds gcLock shared, and every layer is in place.
func (s *Store) commitRaw(nm string, raw []byte) (*Image, error) {
	sum := sha256.Sum256(raw)
	hx := hex.EncodeToString(sum[:])
	p := filepath.Join(s.imagesDir(), hx+".json")
	if !isFile(p) {
		if err := s.writeFileAtomic(p, raw); err != nil {
			return nil, err
		}
	}
	if err := s.setRef(nm, "sha256:"+hx); err != nil {
		return nil, err
	}
	return s.Get(nm)
}
