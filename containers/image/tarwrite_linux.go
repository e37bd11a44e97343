package image

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// tarWriter writes host files as layer tar entries. It is how a rootfs
// directory, Build's files and the busybox root become layers: through the
// same extractor as every other layer, with a real diffID.
type tarWriter struct {
	tw        *tar.Writer
	rootOwned bool                 // entries belong to 0:0 (Docker's COPY)
	links     map[[2]uint64]string // (dev, ino) of multiply linked files -> first name
	dirs      map[string]bool      // directory entries written
}

func newTarWriter(w io.Writer, rootOwned bool) *tarWriter {
	return &tarWriter{tw: tar.NewWriter(w), rootOwned: rootOwned,
		links: map[[2]uint64]string{}, dirs: map[string]bool{}}
}

func (w *tarWriter) close() error { return w.tw.Close() }

// tree writes the host file or directory src, recursively, as dest.
func (w *tarWriter) tree(src, dest string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		return w.file(p, path.Join(dest, filepath.ToSlash(rel)))
	})
}

// file writes one host file (not following a symlink) as entry nm.
func (w *tarWriter) file(p, nm string) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	hdr, err := w.header(p, nm, &st)
	if err != nil || hdr == nil {
		return err
	}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(w.tw, f)
	if err == nil && n != hdr.Size {
		err = fmt.Errorf("%s changed size while being read", p)
	}
	return err
}

// header describes a host file; nil for what a layer cannot hold (sockets).
func (w *tarWriter) header(p, nm string, st *unix.Stat_t) (*tar.Header, error) {
	nm = strings.TrimPrefix(path.Clean("/"+nm), "/")
	hdr := &tar.Header{Name: nm, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()), Format: tar.FormatPAX}
	if w.rootOwned {
		hdr.Uid, hdr.Gid = 0, 0
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag, hdr.Name = tar.TypeDir, nm+"/"
		w.dirs[nm] = true
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return nil, err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFREG:
		hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
		if st.Nlink > 1 {
			key := [2]uint64{st.Dev, st.Ino}
			if first, ok := w.links[key]; ok {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				w.links[key] = nm
			}
		}
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, nil
	}
	if nm == "" {
		return nil, nil // the root itself: the layer dir has its own
	}
	hdr.PAXRecords = xattrRecords(p)
	return hdr, nil
}

// xattrRecords reads a file's extended attributes as PAX records.
func xattrRecords(p string) map[string]string {
	buf := make([]byte, 1024)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n == 0 {
		return nil
	}
	recs := map[string]string{}
	for _, attr := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if attr == "" || strings.HasPrefix(attr, "trusted.") {
			continue
		}
		val := make([]byte, 4096)
		m, err := unix.Lgetxattr(p, attr, val)
		if err != nil {
			continue
		}
		recs["SCHILY.xattr."+attr] = string(val[:m])
	}
	if len(recs) == 0 {
		return nil
	}
	return recs
}

// dir writes a directory entry unless one was written already.
func (w *tarWriter) dir(nm string, mode int64, uid, gid int, mtime time.Time) error {
	nm = strings.TrimPrefix(path.Clean("/"+nm), "/")
	if nm == "" || w.dirs[nm] {
		return nil
	}
	w.dirs[nm] = true
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: nm + "/", Mode: mode,
		Uid: uid, Gid: gid, ModTime: mtime, Format: tar.FormatPAX})
}

// hardlink writes a hard link entry to an earlier entry.
func (w *tarWriter) hardlink(nm, target string) error {
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeLink, Name: nm, Linkname: target,
		Format: tar.FormatPAX})
}

// bytes writes a regular file with the given content.
func (w *tarWriter) bytes(nm string, mode int64, content []byte, mtime time.Time) error {
	err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: nm, Mode: mode,
		Size: int64(len(content)), ModTime: mtime, Format: tar.FormatPAX})
	if err == nil {
		_, err = w.tw.Write(content)
	}
	return err
}

// unpackFrom runs write in a goroutine, streaming its tar into a new
// layer, and returns the layer.
func (s *Store) unpackFrom(write func(w io.Writer) error) (layerInfo, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	li, err := s.unpack(pr, "")
	pr.CloseWithError(io.ErrClosedPipe) // unblock the writer on failure
	return li, err
}
