package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Whiteout names of the OCI/Docker layer format.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

type extractOptions struct {
	// plain keeps .wh. entries as ordinary files (an archive, not a layer).
	plain bool
}

// extractor writes the entries of one tar into a fresh directory. Every
// path is resolved with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) from
// the root's descriptor, so no entry can reach outside the root: not by
// "../" in its name, not through a symlink an earlier entry made, not by a
// hard link to an outside file.
type extractor struct {
	root   int
	asRoot bool
	opts   extractOptions
	size   int64
	dirs   []dirMeta      // applied last: children change mtimes
	fds    map[string]int // open parent directories by relative path
	buf    []byte
}

type dirMeta struct {
	rel   string
	mode  uint32
	mtime time.Time
	atime time.Time
}

// extractTar unpacks r into dst (which must not exist) and returns the
// bytes of regular files written.
func extractTar(r io.Reader, dst string, opts extractOptions) (int64, error) {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return 0, err
	}
	if err := os.Chmod(dst, 0o755); err != nil { // whatever the umask
		return 0, err
	}
	root, err := unix.Open(dst, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", dst, err)
	}
	x := &extractor{root: root, asRoot: os.Geteuid() == 0, opts: opts,
		fds: map[string]int{}, buf: make([]byte, 128<<10)}
	defer x.close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read tar: %w", err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return 0, fmt.Errorf("%s: %w", hdr.Name, err)
		}
	}
	return x.size, x.finishDirs()
}

func (x *extractor) close() {
	x.flushFds()
	unix.Close(x.root)
}

// forget closes the cached descriptors of rel and of what is under it.
func (x *extractor) forget(rel string) {
	for k, fd := range x.fds {
		if k == rel || strings.HasPrefix(k, rel+"/") {
			unix.Close(fd)
			delete(x.fds, k)
		}
	}
}

func (x *extractor) flushFds() {
	for k, fd := range x.fds {
		unix.Close(fd)
		delete(x.fds, k)
	}
}

// cleanName maps a tar name to a path relative to the root ("" is the
// root itself). Leading "/" and "./" are dropped as GNU tar does; a name
// that climbs out ("../x", "a/../../x") is refused.
func cleanName(n string) (string, error) {
	p := path.Clean("/" + n)
	raw := path.Clean(strings.TrimLeft(n, "/"))
	if raw == ".." || strings.HasPrefix(raw, "../") {
		return "", fmt.Errorf("%w: %q climbs out of the root", ErrUnsafeLayer, n)
	}
	return strings.TrimPrefix(p, "/"), nil
}

// openBeneath opens the directory rel under the root without following
// any symlink and without leaving the root.
func (x *extractor) openBeneath(rel string) (int, error) {
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{
		Flags:   unix.O_DIRECTORY | unix.O_RDONLY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	}
	for {
		fd, err := unix.Openat2(x.root, rel, &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err == unix.ELOOP || err == unix.EXDEV {
			return -1, fmt.Errorf("%w: %q goes through a symlink", ErrUnsafeLayer, rel)
		}
		return fd, err
	}
}

// parent returns a descriptor of directory rel, creating missing
// directories (0755, like Docker) on the way.
func (x *extractor) parent(rel string) (int, error) {
	rel = strings.TrimSuffix(rel, "/")
	if fd, ok := x.fds[rel]; ok {
		return fd, nil
	}
	fd, err := x.openBeneath(rel)
	if errors.Is(err, unix.ENOENT) {
		if err := x.mkdirAll(rel); err != nil {
			return -1, err
		}
		fd, err = x.openBeneath(rel)
	}
	if errors.Is(err, unix.ENOTDIR) {
		return -1, fmt.Errorf("%w: parent %q is not a directory", ErrUnsafeLayer, rel)
	}
	if err != nil {
		return -1, err
	}
	x.cache(rel, fd)
	return fd, nil
}

// existing returns a cached descriptor of the existing directory rel.
func (x *extractor) existing(rel string) (int, error) {
	if fd, ok := x.fds[rel]; ok {
		return fd, nil
	}
	fd, err := x.openBeneath(rel)
	if err != nil {
		return -1, err
	}
	x.cache(rel, fd)
	return fd, nil
}

// cache keeps a directory descriptor for the entries that follow. It never
// closes one: entry trims the cache before it starts, when no descriptor
// is in use.
func (x *extractor) cache(rel string, fd int) {
	x.fds[rel] = fd
}

func (x *extractor) mkdirAll(rel string) error {
	dir, base := path.Split(rel)
	pfd, err := x.parent(dir)
	if err != nil {
		return err
	}
	err = unix.Mkdirat(pfd, base, 0o755)
	if err == nil {
		err = unix.Fchmodat(pfd, base, 0o755, 0) // whatever the umask
	}
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("mkdir %s: %w", rel, err)
	}
	return nil
}

// entry writes one tar entry.
func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	if len(x.fds) >= 64 {
		x.flushFds()
	}
	rel, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	if rel == "" {
		return nil // the root's own entry: the layer dir keeps its mode
	}
	dir, base := path.Split(rel)
	pfd, err := x.parent(dir)
	if err != nil {
		return err
	}
	if !x.opts.plain && strings.HasPrefix(base, whiteoutPrefix) {
		return x.whiteout(pfd, dir, base)
	}
	// Create first: in a fresh layer the name is almost always free, and
	// a stat per entry costs as much as the create on this machine.
	err = x.create(pfd, rel, base, hdr, r)
	if errors.Is(err, unix.EEXIST) {
		if err := x.makeRoom(pfd, rel, false); err != nil {
			return err
		}
		err = x.create(pfd, rel, base, hdr, r)
	}
	return err
}

func (x *extractor) create(pfd int, rel, base string, hdr *tar.Header, r io.Reader) error {
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeDir:
		err := unix.Mkdirat(pfd, base, 0o700)
		if errors.Is(err, unix.EEXIST) {
			err = x.makeRoom(pfd, rel, true) // keeps a directory
			if err == nil {
				err = unix.Mkdirat(pfd, base, 0o700)
			}
			if errors.Is(err, unix.EEXIST) {
				err = nil
			}
		}
		if err != nil {
			return err
		}
		x.dirs = append(x.dirs, dirMeta{rel: rel, mode: mode, mtime: hdr.ModTime, atime: hdr.AccessTime})
		return x.finish(pfd, base, hdr, -1, false)
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		return x.regular(pfd, base, hdr, r)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return err
		}
		return x.finish(pfd, base, hdr, -1, true)
	case tar.TypeLink:
		return x.hardlink(pfd, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return x.special(pfd, base, hdr)
	}
	return nil // pax/global headers and unknown types carry no file
}

// makeRoom removes what is in the way of a new entry, except a directory
// that a directory entry updates.
func (x *extractor) makeRoom(pfd int, rel string, isDir bool) error {
	base := path.Base(rel)
	var st unix.Stat_t
	err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		if isDir {
			return nil
		}
		x.forget(rel)
		return unix.Unlinkat(pfd, base, unix.AT_REMOVEDIR)
	}
	return unix.Unlinkat(pfd, base, 0)
}

func (x *extractor) regular(pfd int, base string, hdr *tar.Header, r io.Reader) error {
	fd, err := unix.Openat(pfd, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	n, err := io.CopyBuffer(onlyWriter{f}, r, x.buf)
	if err != nil {
		return err
	}
	x.size += n
	return x.finish(pfd, base, hdr, fd, false)
}

// onlyWriter hides *os.File's ReadFrom, whose copy_file_range attempts
// cost syscalls for nothing on a tar stream.
type onlyWriter struct{ io.Writer }

func (x *extractor) hardlink(pfd int, base string, hdr *tar.Header) error {
	target, err := cleanName(hdr.Linkname)
	if err != nil || target == "" {
		return fmt.Errorf("%w: hard link to %q", ErrUnsafeLayer, hdr.Linkname)
	}
	tdir, tbase := path.Split(target)
	tfd, err := x.existing(strings.TrimSuffix(tdir, "/"))
	if err != nil {
		return fmt.Errorf("hard link to %q: %w", hdr.Linkname, err)
	}
	return unix.Linkat(tfd, tbase, pfd, base, 0)
}

func (x *extractor) special(pfd int, base string, hdr *tar.Header) error {
	mode := uint32(hdr.Mode) & 0o7777
	switch hdr.Typeflag {
	case tar.TypeFifo:
		mode |= unix.S_IFIFO
	case tar.TypeChar:
		mode |= unix.S_IFCHR
	case tar.TypeBlock:
		mode |= unix.S_IFBLK
	}
	if hdr.Typeflag != tar.TypeFifo && !x.asRoot {
		return nil // device nodes need CAP_MKNOD; the runtime makes /dev
	}
	dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
	if err := unix.Mknodat(pfd, base, mode, dev); err != nil {
		return err
	}
	return x.finish(pfd, base, hdr, -1, false)
}

// whiteout stores an OCI whiteout the overlayfs way.
func (x *extractor) whiteout(pfd int, dir, base string) error {
	if base == whiteoutOpaque {
		attr := "user.overlay.opaque"
		if x.asRoot {
			attr = "trusted.overlay.opaque"
		}
		if err := unix.Fsetxattr(pfd, attr, []byte("y"), 0); err != nil {
			return fmt.Errorf("opaque directory: %w", err)
		}
		return nil
	}
	victim := strings.TrimPrefix(base, whiteoutPrefix)
	if victim == "" || victim == "." || victim == ".." {
		return fmt.Errorf("%w: whiteout %q", ErrUnsafeLayer, base)
	}
	if err := x.makeRoom(pfd, path.Join(dir, victim), false); err != nil {
		return err
	}
	// A 0/0 character device; Linux lets anyone make one (since 5.8).
	if err := unix.Mknodat(pfd, victim, unix.S_IFCHR, 0); err != nil {
		return fmt.Errorf("whiteout %s: %w", victim, err)
	}
	return nil
}

// finish sets owner, mode, xattrs and times of a new entry. fd is an open
// descriptor of a regular file, or -1.
func (x *extractor) finish(pfd int, base string, hdr *tar.Header, fd int, link bool) error {
	if x.asRoot {
		if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if link {
		return x.times(pfd, base, hdr.ModTime, hdr.AccessTime, unix.AT_SYMLINK_NOFOLLOW)
	}
	if fd >= 0 {
		if err := unix.Fchmod(fd, uint32(hdr.Mode)&0o7777); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	x.xattrs(pfd, base, hdr)
	if hdr.Typeflag == tar.TypeDir {
		return nil // mode and times once its children are in
	}
	if fd < 0 {
		if err := unix.Fchmodat(pfd, base, uint32(hdr.Mode)&0o7777, 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	return x.times(pfd, base, hdr.ModTime, hdr.AccessTime, unix.AT_SYMLINK_NOFOLLOW)
}

func (x *extractor) times(pfd int, base string, mtime, atime time.Time, flags int) error {
	if atime.IsZero() {
		atime = mtime
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(pfd, base, ts, flags); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

// xattrs applies the entry's extended attributes where it is simple and
// safe: never trusted.* (that is where overlayfs keeps its own metadata),
// security.* only as root. Failures (a file system without xattrs) are
// not fatal: the files matter more than their labels.
func (x *extractor) xattrs(pfd int, base string, hdr *tar.Header) {
	for k, v := range hdr.PAXRecords {
		attr, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || strings.HasPrefix(attr, "trusted.") {
			continue
		}
		if strings.HasPrefix(attr, "security.") && !x.asRoot {
			continue
		}
		p := "/proc/self/fd/" + strconv.Itoa(pfd) + "/" + base
		_ = unix.Lsetxattr(p, attr, []byte(v), 0)
	}
}

// finishDirs sets directory modes and times, deepest first, once nothing
// will be written into them any more. A directory that a later entry
// replaced is skipped; nothing here follows a symlink.
func (x *extractor) finishDirs() error {
	x.flushFds()
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		fd, err := x.openBeneath(d.rel)
		if err != nil {
			continue
		}
		err = unix.Fchmod(fd, d.mode)
		if err == nil {
			p := "/proc/self/fd/" + strconv.Itoa(fd)
			err = x.times(unix.AT_FDCWD, p, d.mtime, d.atime, 0)
		}
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("%s: %w", d.rel, err)
		}
	}
	return nil
}
