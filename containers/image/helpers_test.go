package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"
)

// ent is one crafted tar entry.
type ent struct {
	name string
	typ  byte
	mode int64
	body string
	link string
}

func tarBytes(t testing.TB, ents []ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link,
			Size: int64(len(e.body)), ModTime: mtime, Uid: 1000, Gid: 1000}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := io.WriteString(tw, e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, p string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeRootfs builds a small root file system with the things a layer must
// keep: modes (setuid, sticky), a symlink, a hard link, nested dirs.
func makeRootfs(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rootfs")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "etc/conf.d"), 0o750))
	must(os.Mkdir(filepath.Join(dir, "tmp"), 0o755))
	must(os.Chmod(filepath.Join(dir, "tmp"), 0o1777))
	must(os.WriteFile(filepath.Join(dir, "bin/tool"), []byte("#!/bin/sh\necho tool\n"), 0o755))
	must(os.Chmod(filepath.Join(dir, "bin/tool"), 0o4755))
	must(os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "etc/conf.d/secret"), []byte("s3cret"), 0o600))
	must(os.Symlink("tool", filepath.Join(dir, "bin/alias")))
	must(os.Symlink("/etc/passwd", filepath.Join(dir, "etc/abs-link")))
	must(os.Link(filepath.Join(dir, "bin/tool"), filepath.Join(dir, "bin/tool-hard")))
	// An xattr, where the file system takes user xattrs.
	unix.Lsetxattr(filepath.Join(dir, "etc/passwd"), "user.min.test", []byte("v"), 0)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(os.Chtimes(filepath.Join(dir, "etc/passwd"), old, old))
	must(os.Chtimes(filepath.Join(dir, "etc/conf.d"), old, old))
	return dir
}

// tarDir tars a directory with archive/tar alone (not the code under test).
func tarDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	links := map[uint64]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h.Name = filepath.ToSlash(rel)
		h.ModTime = fi.ModTime().Truncate(time.Second) // no rounding up
		if fi.IsDir() {
			h.Name += "/"
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().IsRegular() && st.Nlink > 1 {
			if first, ok := links[st.Ino]; ok {
				h.Typeflag, h.Linkname, h.Size = tar.TypeLink, first, 0
			} else {
				links[st.Ino] = h.Name
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tw.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameTree checks that got has what want has: types, modes, contents,
// symlink targets, hard links and (as root) owners; mtimes of files.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	inodes := map[uint64]uint64{}
	err := filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		if rel == "." {
			return nil
		}
		var ws, gs unix.Stat_t
		if err := unix.Lstat(p, &ws); err != nil {
			return err
		}
		if err := unix.Lstat(filepath.Join(got, rel), &gs); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if ws.Mode != gs.Mode {
			t.Errorf("%s: mode %o, want %o", rel, gs.Mode, ws.Mode)
		}
		if os.Geteuid() == 0 && (ws.Uid != gs.Uid || ws.Gid != gs.Gid) {
			t.Errorf("%s: owner %d:%d, want %d:%d", rel, gs.Uid, gs.Gid, ws.Uid, ws.Gid)
		}
		switch ws.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			wb, _ := os.ReadFile(p)
			gb, _ := os.ReadFile(filepath.Join(got, rel))
			if !bytes.Equal(wb, gb) {
				t.Errorf("%s: content %q, want %q", rel, gb, wb)
			}
			if ws.Mtim.Sec != gs.Mtim.Sec {
				t.Errorf("%s: mtime %d, want %d", rel, gs.Mtim.Sec, ws.Mtim.Sec)
			}
			if ws.Nlink > 1 {
				if first, ok := inodes[ws.Ino]; ok && first != gs.Ino {
					t.Errorf("%s: hard link not kept", rel)
				}
				inodes[ws.Ino] = gs.Ino
			}
		case unix.S_IFLNK:
			wl, _ := os.Readlink(p)
			gl, _ := os.Readlink(filepath.Join(got, rel))
			if wl != gl {
				t.Errorf("%s: link %q, want %q", rel, gl, wl)
			}
		case unix.S_IFDIR:
			if ws.Mtim.Sec != gs.Mtim.Sec {
				t.Errorf("%s: dir mtime %d, want %d", rel, gs.Mtim.Sec, ws.Mtim.Sec)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func layerOf(t testing.TB, ents []ent) v1.Layer {
	t.Helper()
	b := tarBytes(t, ents)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var testConfig = v1.Config{
	Entrypoint: []string{"/bin/tool"},
	Cmd:        []string{"--serve", "8080"},
	Env:        []string{"PATH=/bin", "MODE=test"},
	WorkingDir: "/a",
	User:       "1000:1000",
}

// craftedImage has two layers: the second deletes a/gone with a whiteout
// and makes opq/ opaque, hiding opq/old.
func craftedImage(t testing.TB) v1.Image {
	t.Helper()
	l1 := layerOf(t, []ent{
		{name: "a/", typ: tar.TypeDir, mode: 0o755},
		{name: "a/keep", typ: tar.TypeReg, mode: 0o644, body: "keep"},
		{name: "a/gone", typ: tar.TypeReg, mode: 0o644, body: "gone"},
		{name: "opq/", typ: tar.TypeDir, mode: 0o755},
		{name: "opq/old", typ: tar.TypeReg, mode: 0o644, body: "old"},
		{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		{name: "bin/tool", typ: tar.TypeReg, mode: 0o755, body: "#!/bin/sh\n"},
	})
	l2 := layerOf(t, []ent{
		{name: "a/", typ: tar.TypeDir, mode: 0o755},
		{name: "a/.wh.gone", typ: tar.TypeReg, mode: 0o644},
		{name: "a/added", typ: tar.TypeReg, mode: 0o600, body: "added"},
		{name: "opq/", typ: tar.TypeDir, mode: 0o755},
		{name: "opq/.wh..wh..opq", typ: tar.TypeReg, mode: 0o644},
		{name: "opq/new", typ: tar.TypeReg, mode: 0o644, body: "new"},
	})
	img, err := mutate.AppendLayers(empty.Image, l1, l2)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, testConfig)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "images"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
