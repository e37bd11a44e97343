package image

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// format is what Import found at a path.
type format int

const (
	formatRootfsDir format = iota
	formatRootfsTar
	formatDockerArchive
	formatOCILayout
	formatOCIArchive
)

func (f format) String() string {
	return [...]string{"rootfs directory", "rootfs tar", "docker archive", "OCI layout", "OCI layout tar"}[f]
}

// Import adds the image at path to the store under name and returns it.
// path is a root file system directory, a root file system tar (plain or
// gzip), a `docker save` archive or an OCI image layout (a directory or a
// tar of one); the format is detected. For a docker archive name may be
// empty: the archive's first tag names the image.
func (s *Store) Import(name string, path string) (*Image, error) {
	resolved, err := filepath.EvalSymlinks(path) // a symlink to a rootfs is the rootfs
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	path = resolved
	f, err := detect(path)
	if err != nil {
		return nil, err
	}
	unlock, err := s.lock(gcLock, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	switch f {
	case formatRootfsDir, formatRootfsTar:
		return s.importRootfs(name, path, f)
	case formatDockerArchive:
		return s.importDockerArchive(name, path)
	case formatOCILayout:
		return s.importLayout(name, path)
	default:
		return s.importLayoutTar(name, path)
	}
}

// detect tells the format of path from its content.
func detect(p string) (format, error) {
	st, err := os.Stat(p)
	if err != nil {
		return 0, fmt.Errorf("import %s: %w", p, err)
	}
	if st.IsDir() {
		if isFile(filepath.Join(p, "oci-layout")) && isFile(filepath.Join(p, "index.json")) {
			return formatOCILayout, nil
		}
		return formatRootfsDir, nil
	}
	r, err := openMaybeGzip(p)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return sniffTar(r, p)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// archiveEntry tells whether nm is a name an image archive holds: a
// docker save (manifest.json, repositories, <hex>.json, <hex>/layer.tar,
// sha256:<hex>, <hex>.tar.gz) or an OCI layout (oci-layout, index.json,
// blobs/...).
func archiveEntry(nm string) bool {
	switch nm {
	case "manifest.json", "repositories", "index.json", "oci-layout", "blobs":
		return true
	}
	if strings.HasPrefix(nm, "blobs/") {
		return true
	}
	nm = strings.TrimPrefix(nm, "sha256:")
	if len(nm) < 64 || !isHex64(nm[:64]) {
		return false
	}
	switch rest := nm[64:]; {
	case rest == "", rest == ".json", rest == ".tar", rest == ".tar.gz", strings.HasPrefix(rest, "/"):
		return true
	}
	return false
}

// sniffTar reads tar headers until the content decides: the first name
// that no image archive has makes it a root file system.
func sniffTar(r io.Reader, p string) (format, error) {
	tr := tar.NewReader(r)
	var manifest, layout, index bool
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if n == 0 {
				return 0, fmt.Errorf("import %s: %w: not a directory, tar or gzip tar (%w)", p, ErrUnsupportedFormat, err)
			}
			return 0, fmt.Errorf("import %s: %w", p, err)
		}
		nm := strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+hdr.Name), "/"), "/")
		if nm == "" {
			continue
		}
		if !archiveEntry(nm) {
			return formatRootfsTar, nil
		}
		manifest = manifest || nm == "manifest.json"
		layout = layout || nm == "oci-layout"
		index = index || nm == "index.json"
	}
	switch {
	case manifest:
		return formatDockerArchive, nil
	case layout && index:
		return formatOCIArchive, nil
	}
	return formatRootfsTar, nil
}

// openMaybeGzip opens a file, decompressing it when it is gzip.
func openMaybeGzip(p string) (io.ReadCloser, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", p, err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return readCloser{br, f}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("import %s: %w", p, err)
	}
	return readCloser{zr, f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// importRootfs makes a one-layer image of a root file system.
func (s *Store) importRootfs(name, p string, f format) (*Image, error) {
	nm, err := requireName(name)
	if err != nil {
		return nil, err
	}
	var li layerInfo
	if f == formatRootfsDir {
		li, err = s.unpackFrom(func(w io.Writer) error {
			tw := newTarWriter(w, false)
			if err := tw.tree(p, ""); err != nil {
				return err
			}
			return tw.close()
		})
	} else {
		li, err = s.unpackTar(p)
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", p, err)
	}
	cf := newConfig(nil)
	if err := appendLayer(cf, li.DiffID, "imported from "+filepath.Base(p)); err != nil {
		return nil, err
	}
	return s.commitImage(nm, cf)
}

// unpackTar unpacks a rootfs tar file. A plain tar is hashed first: when
// the store has its layer already, nothing is extracted.
func (s *Store) unpackTar(p string) (layerInfo, error) {
	if !isGzip(p) {
		diff, err := hashFile(p)
		if err != nil {
			return layerInfo{}, err
		}
		return s.ensureLayer(diff, func() (io.ReadCloser, error) { return os.Open(p) })
	}
	r, err := openMaybeGzip(p)
	if err != nil {
		return layerInfo{}, err
	}
	defer r.Close()
	return s.unpack(r, "")
}

func hashFile(p string) (v1.Hash, error) {
	f, err := os.Open(p)
	if err != nil {
		return v1.Hash{}, err
	}
	defer f.Close()
	h, _, err := v1.SHA256(f)
	return h, err
}

func requireName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: an image name is required", ErrInvalidName)
	}
	return Normalize(name)
}

// decompressTo writes the gzip file p decompressed into the store's tmp
// directory, for readers that open it many times.
func (s *Store) decompressTo(p string) (string, func(), error) {
	r, err := openMaybeGzip(p)
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	f, err := os.CreateTemp(s.tmpDir(), "archive-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("import %s: %w", p, err)
	}
	return f.Name(), cleanup, nil
}

// isGzip tells whether a file starts with gzip's magic bytes.
func isGzip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 2)
	_, err = io.ReadFull(f, b)
	return err == nil && b[0] == 0x1f && b[1] == 0x8b
}
