package image

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerInfo is layers/<hex>/layer.json.
type layerInfo struct {
	DiffID string `json:"diffID"`
	Size   int64  `json:"size"` // bytes of regular files
}

func (s *Store) readLayerInfo(hex string) (layerInfo, error) {
	var li layerInfo
	b, err := os.ReadFile(filepath.Join(s.layersDir(), hex, "layer.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return li, fmt.Errorf("layer sha256:%s missing: %w", hex, ErrCorrupt)
	}
	if err != nil {
		return li, err
	}
	if err := json.Unmarshal(b, &li); err != nil {
		return li, fmt.Errorf("layer sha256:%s: %w: %w", hex, ErrCorrupt, err)
	}
	return li, nil
}

// layerLock serialises the extraction of one diffID inside this process.
func (s *Store) layerLock(hex string) func() {
	s.mu.Lock()
	m, ok := s.layerL[hex]
	if !ok {
		m = &sync.Mutex{}
		s.layerL[hex] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// ensureLayer makes sure the layer with this diffID is unpacked, reading
// it from open only when it is not. The caller holds gcLock shared.
func (s *Store) ensureLayer(diff v1.Hash, open func() (io.ReadCloser, error)) (layerInfo, error) {
	if diff.Algorithm != "sha256" {
		return layerInfo{}, fmt.Errorf("layer %s: %w: only sha256 diffIDs", diff, ErrUnsupportedFormat)
	}
	if li, err := s.readLayerInfo(diff.Hex); err == nil {
		return li, nil
	}
	defer s.layerLock(diff.Hex)()
	if li, err := s.readLayerInfo(diff.Hex); err == nil {
		return li, nil // another goroutine unpacked it meanwhile
	}
	rc, err := open()
	if err != nil {
		return layerInfo{}, fmt.Errorf("layer %s: %w", diff, err)
	}
	defer rc.Close()
	return s.unpack(rc, diff.String())
}

// unpack extracts a layer tar into a temporary directory, checks or
// computes its diffID, and renames it into place. want is the expected
// diffID, or "" when the content decides (a rootfs import).
func (s *Store) unpack(r io.Reader, want string) (layerInfo, error) {
	tmp, err := os.MkdirTemp(s.tmpDir(), "layer-")
	if err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer: %w", err)
	}
	defer removeTree(tmp)
	// tar reads 512-byte headers: buffer, or each is a system call.
	r = bufio.NewReaderSize(r, 128<<10)
	h := sha256.New()
	size, err := extractTar(io.TeeReader(r, h), filepath.Join(tmp, "root"), extractOptions{})
	if err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer %s: %w", want, err)
	}
	// Drain what follows the tar's end so that the digest covers it all.
	if _, err := io.Copy(h, r); err != nil {
		return layerInfo{}, fmt.Errorf("unpack layer %s: %w", want, err)
	}
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if want != "" && got != want {
		return layerInfo{}, fmt.Errorf("layer %s: content has diffID %s: %w", want, got, ErrCorrupt)
	}
	li := layerInfo{DiffID: got, Size: size}
	return li, s.commitLayer(tmp, li)
}

// commitLayer renames an unpacked layer into place. Losing the race to
// another process that unpacked the same content is fine.
func (s *Store) commitLayer(tmp string, li layerInfo) error {
	b, _ := json.Marshal(li)
	if err := os.WriteFile(filepath.Join(tmp, "layer.json"), b, 0o644); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := s.syncFS(tmp); err != nil {
		return err
	}
	dst := filepath.Join(s.layersDir(), li.DiffID[len("sha256:"):])
	err := os.Rename(tmp, dst)
	if err != nil {
		if _, serr := s.readLayerInfo(li.DiffID[len("sha256:"):]); serr == nil {
			return nil
		}
		return fmt.Errorf("commit layer %s: %w", li.DiffID, err)
	}
	return nil
}
