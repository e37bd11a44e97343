package image

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestArchiveEntry(t *testing.T) {
	hx := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		name string
		want bool
	}{
		{"manifest.json", true},
		{"repositories", true},
		{"oci-layout", true},
		{"index.json", true},
		{"blobs/sha256/" + hx, true},
		{hx + ".json", true},
		{hx + "/layer.tar", true},
		{"sha256:" + hx, true},
		{hx + ".tar.gz", true},
		{"bin", false},
		{"etc/passwd", false},
		{hx[:63] + ".json", false},
		{hx + ".txt", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := archiveEntry(c.name); got != c.want {
				t.Errorf("archiveEntry(%q) = %v, want %v", c.name, got, c.want)
			}
		})
	}
}

// paxTar writes one entry per header as given.
func paxTar(t *testing.T, hdrs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		h.Format = tar.FormatPAX
		if h.ModTime.IsZero() {
			h.ModTime = time.Unix(1700000000, 0)
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func TestExtractMetadata(t *testing.T) {
	root := os.Geteuid() == 0
	data := paxTar(t,
		&tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o555, Uid: 123, Gid: 456},
		&tar.Header{Name: "d/f", Typeflag: tar.TypeReg, Mode: 0o2755, Size: 3, Uid: 123, Gid: 456,
			PAXRecords: map[string]string{
				"SCHILY.xattr.user.min":                 "kept",
				"SCHILY.xattr.trusted.overlay.opaque":   "y",
				"SCHILY.xattr.trusted.overlay.redirect": "/etc",
			}},
		&tar.Header{Name: "d/l", Typeflag: tar.TypeLink, Linkname: "d/f"},
		&tar.Header{Name: "null", Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3},
		&tar.Header{Name: "fifo", Typeflag: tar.TypeFifo, Mode: 0o600},
		&tar.Header{Name: "d/f2", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		&tar.Header{Name: "d/f2", Typeflag: tar.TypeSymlink, Linkname: "f"}, // replaces
	)
	dst := filepath.Join(t.TempDir(), "root")
	t.Cleanup(func() { removeTree(dst) }) // d is read-only
	size, err := extractTar(bytes.NewReader(data), dst, extractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if size != 4 {
		t.Errorf("size = %d, want 4", size)
	}
	modeIs(t, filepath.Join(dst, "d"), 0o555|os.ModeDir)
	modeIs(t, filepath.Join(dst, "d/f"), 0o755|os.ModeSetgid)
	modeIs(t, filepath.Join(dst, "d/f2"), 0o777|os.ModeSymlink)
	modeIs(t, filepath.Join(dst, "fifo"), 0o600|os.ModeNamedPipe)
	if !sameFile(t, filepath.Join(dst, "d/f"), filepath.Join(dst, "d/l")) {
		t.Error("hard link not kept")
	}
	if st, err := os.Stat(filepath.Join(dst, "d")); err != nil || st.ModTime().Unix() != 1700000000 {
		t.Errorf("dir mtime = %v, %v", st.ModTime(), err)
	}
	buf := make([]byte, 16)
	if n, err := unix.Lgetxattr(filepath.Join(dst, "d/f"), "user.min", buf); err != nil || string(buf[:n]) != "kept" {
		t.Errorf("user.min = %q, %v", buf[:n], err)
	}
	for _, attr := range []string{"trusted.overlay.opaque", "trusted.overlay.redirect"} {
		if _, err := unix.Lgetxattr(filepath.Join(dst, "d/f"), attr, buf); err == nil {
			t.Errorf("%s taken from the tar: layers must not carry overlayfs metadata", attr)
		}
	}
	var st unix.Stat_t
	err = unix.Lstat(filepath.Join(dst, "null"), &st)
	switch {
	case root && (err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3)):
		t.Errorf("null: mode %o rdev %d, %v; want char 1:3", st.Mode, st.Rdev, err)
	case !root && err == nil:
		t.Errorf("non-root extraction made a device node")
	}
	if root {
		if err := unix.Lstat(filepath.Join(dst, "d/f"), &st); err != nil || st.Uid != 123 || st.Gid != 456 {
			t.Errorf("owner = %d:%d, %v; want 123:456", st.Uid, st.Gid, err)
		}
	}
}

func TestOpenClearsCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(s.tmpDir(), "layer-123", "root", "bin")
	if err := os.MkdirAll(half, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(half, 0o555)
	os.Chmod(filepath.Dir(half), 0o555)
	if _, err := Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := countEntries(t, s.tmpDir()); n != 0 {
		t.Errorf("tmp holds %d entries after Open", n)
	}
}

// TestExtractIgnoresUmask: the layer root and directories a tar implies
// get 0755 even under a strict umask, or a container's non-root user
// could not walk its own root.
func TestExtractIgnoresUmask(t *testing.T) {
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	dst := filepath.Join(t.TempDir(), "root")
	data := paxTar(t, &tar.Header{Name: "usr/bin/tool", Typeflag: tar.TypeReg, Mode: 0o755, Size: 1})
	if _, err := extractTar(bytes.NewReader(data), dst, extractOptions{}); err != nil {
		t.Fatal(err)
	}
	modeIs(t, dst, 0o755|os.ModeDir)
	modeIs(t, filepath.Join(dst, "usr"), 0o755|os.ModeDir)
	modeIs(t, filepath.Join(dst, "usr/bin"), 0o755|os.ModeDir)
	modeIs(t, filepath.Join(dst, "usr/bin/tool"), 0o755)
}
