package image

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Load adds every image an archive holds, under the names the archive
// gives them, as `docker load` does: a `docker save` archive (plain or
// gzip; each image with all its tags) or an OCI image layout, directory or
// tar (each image named by its io.containerd.image.name annotation, or by
// an org.opencontainers.image.ref.name that is a whole reference, not a
// bare tag). It returns one Image per name, in the archive's order. An
// image the archive leaves unnamed is an error (the store keeps images by
// name only): Import it under a name instead. A root file system has no
// name at all, so Load refuses it the same way.
func (s *Store) Load(path string) ([]Image, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	f, err := detect(resolved)
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock(gcLock, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var names []string
	switch f {
	case formatDockerArchive:
		names, err = s.loadDockerArchive(resolved)
	case formatOCILayout:
		names, err = s.loadLayout(resolved)
	case formatOCIArchive:
		names, err = s.loadLayoutTar(resolved)
	default:
		return nil, fmt.Errorf("load %s: %w: a %s names no image; import it with a name", path, ErrInvalidName, f)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	out := make([]Image, 0, len(names))
	for _, n := range names {
		img, err := s.Get(n)
		if err != nil {
			return nil, err
		}
		out = append(out, *img)
	}
	return out, nil
}

// loadDockerArchive imports each image of a docker archive under its
// tags and returns the names, in the archive's order.
func (s *Store) loadDockerArchive(p string) ([]string, error) {
	m, opener, cleanup, err := s.openDockerArchive(p)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var names []string
	for i, d := range m {
		tags, err := normalizeAll(d.RepoTags)
		if err != nil {
			return nil, err
		}
		if len(tags) == 0 {
			return nil, fmt.Errorf("%w: image %d of %d in the archive (%s) has no tag; import it with a name", ErrInvalidName, i+1, len(m), d.Config)
		}
		tag, err := name.NewTag(d.RepoTags[0])
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidName, err)
		}
		img, err := tarball.Image(opener, &tag)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if err := s.loadAs(img, tags); err != nil {
			return nil, err
		}
		names = append(names, tags...)
	}
	return names, nil
}

// loadAs imports img under its first name and points the others at it.
func (s *Store) loadAs(img v1.Image, names []string) error {
	got, err := s.importV1(names[0], img)
	if err != nil {
		return err
	}
	for _, n := range names[1:] {
		if err := s.setRef(n, got.ID); err != nil {
			return err
		}
	}
	return nil
}

func normalizeAll(refs []string) ([]string, error) {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		n, err := Normalize(r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// loadLayout imports each named image of an OCI layout directory.
func (s *Store) loadLayout(dir string) ([]string, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	var names []string
	for i, d := range im.Manifests {
		nm, err := layoutName(d)
		if err != nil {
			return nil, err
		}
		if nm == "" {
			return nil, fmt.Errorf("%w: image %d of %d in the layout has no name (annotation %s); import it with a name",
				ErrInvalidName, i+1, len(im.Manifests), annotContainerdName)
		}
		img, err := layoutImage(idx, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nm, err)
		}
		if err := s.loadAs(img, []string{nm}); err != nil {
			return nil, err
		}
		names = append(names, nm)
	}
	return names, nil
}

// layoutName is the name a layout gives one of its images, normalised:
// containerd's annotation, else a ref name that is more than a tag.
func layoutName(d v1.Descriptor) (string, error) {
	if n := d.Annotations[annotContainerdName]; n != "" {
		return Normalize(n)
	}
	if n := d.Annotations[annotRefName]; strings.ContainsAny(n, "/:@") {
		return Normalize(n)
	}
	return "", nil
}

// layoutImage is the image a descriptor of an index points at: itself, or
// this machine's platform in a nested index.
func layoutImage(idx v1.ImageIndex, d v1.Descriptor) (v1.Image, error) {
	switch {
	case d.MediaType.IsImage():
		if d.Platform != nil && !platformOK(d.Platform) {
			return nil, fmt.Errorf("%w: the image is for %s/%s", ErrUnsupportedFormat, d.Platform.OS, d.Platform.Architecture)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return img, nil
	case d.MediaType.IsIndex():
		child, err := idx.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		img, _, err := pickIndexImage(child, "", 1)
		return img, err
	}
	return nil, fmt.Errorf("%w: media type %s", ErrUnsupportedFormat, d.MediaType)
}

// loadLayoutTar unpacks a tar of an OCI layout aside, then loads it.
func (s *Store) loadLayoutTar(p string) (names []string, err error) {
	err = s.withLayoutTar(p, "", func(dir string) (err error) {
		names, err = s.loadLayout(dir)
		return err
	})
	return names, err
}
