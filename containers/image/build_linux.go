package image

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// BuildSpec describes an image made from a base plus files: the Lua way to
// write a small Dockerfile (FROM, COPY, CMD, ENTRYPOINT, ENV, WORKDIR).
type BuildSpec struct {
	Name string // the new image's name
	From string // the base image; "" or "scratch" for none
	// Files maps a destination path in the image to a host path. Modes
	// and mtimes are kept, the owner is root (Docker's COPY); a directory
	// is copied recursively, keeping the symlinks inside it; a source that
	// is itself a symlink is followed, as cp does.
	Files map[string]string
	// Cmd and Entrypoint replace the base's when not nil. As in a
	// Dockerfile, a new Entrypoint drops the base's Cmd unless Cmd is set.
	Cmd, Entrypoint []string
	// Env entries ("K=V") replace the base's variables of the same name
	// and add the others.
	Env        []string
	WorkingDir string
	User       string // replaces the base's when not empty
}

// Build makes the image spec describes and names it spec.Name.
func (s *Store) Build(spec BuildSpec) (*Image, error) {
	nm, err := requireName(spec.Name)
	if err != nil {
		return nil, err
	}
	if err := checkBuild(spec); err != nil {
		return nil, err
	}
	unlock, err := s.lock(gcLock, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var base *v1.ConfigFile
	var baseLayers []string
	if spec.From != "" && spec.From != "scratch" {
		img, err := s.Get(spec.From)
		if err != nil {
			return nil, fmt.Errorf("build %s: base: %w", nm, err)
		}
		if base, err = s.readConfig(img.ID); err != nil {
			return nil, err
		}
		baseLayers, _, _ = s.Resolve(img.ID)
	}
	cf := newConfig(base)
	if len(spec.Files) > 0 {
		li, err := s.unpackFrom(func(w io.Writer) error { return writeFiles(w, spec.Files, baseLayers) })
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", nm, err)
		}
		if err := appendLayer(cf, li.DiffID, "build: copy "+strings.Join(sortedKeys(spec.Files), " ")); err != nil {
			return nil, err
		}
	}
	applySpec(&cf.Config, spec)
	return s.commitImage(nm, cf)
}

func checkBuild(spec BuildSpec) error {
	for dst, src := range spec.Files {
		if dst == "" || src == "" {
			return fmt.Errorf("build %s: %w: file %q -> %q: both paths are needed", spec.Name, ErrInvalid, src, dst)
		}
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("build %s: %w: %w", spec.Name, ErrInvalid, err)
		}
	}
	for _, e := range spec.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return fmt.Errorf("build %s: %w: env %q is not NAME=value", spec.Name, ErrInvalid, e)
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeFiles writes the new layer: each destination's missing parents
// (copying the base's directory attributes where it has them, so the new
// layer does not change them), then the files themselves.
func writeFiles(w io.Writer, files map[string]string, baseLayers []string) error {
	tw := newTarWriter(w, true)
	for _, dst := range sortedKeys(files) {
		clean := strings.TrimPrefix(path.Clean("/"+dst), "/")
		if err := parents(tw, clean, baseLayers); err != nil {
			return err
		}
		src, err := filepath.EvalSymlinks(files[dst])
		if err != nil {
			return err
		}
		if err := tw.tree(src, clean); err != nil {
			return err
		}
	}
	return tw.close()
}

func parents(tw *tarWriter, rel string, baseLayers []string) error {
	dir := path.Dir(rel)
	if dir == "." {
		return nil
	}
	if err := parents(tw, dir, baseLayers); err != nil {
		return err
	}
	mode, uid, gid, mtime := int64(0o755), 0, 0, time.Unix(0, 0)
	if st, ok := lookupBase(baseLayers, dir); ok {
		mode, uid, gid = int64(st.Mode&0o7777), int(st.Uid), int(st.Gid)
		mtime = time.Unix(st.Mtim.Unix())
	}
	return tw.dir(dir, mode, uid, gid, mtime)
}

// lookupBase stats rel in the topmost base layer that has it. It does not
// follow symlinks of the image: a path through one is treated as absent.
func lookupBase(layers []string, rel string) (unix.Stat_t, bool) {
	var st unix.Stat_t
	for i := len(layers) - 1; i >= 0; i-- {
		fd, err := unix.Openat2(unix.AT_FDCWD, layers[i]+"/"+rel, &unix.OpenHow{
			Flags: unix.O_PATH | unix.O_CLOEXEC | unix.O_NOFOLLOW, Resolve: unix.RESOLVE_NO_SYMLINKS})
		if err != nil {
			continue
		}
		err = unix.Fstat(fd, &st)
		unix.Close(fd)
		if err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return st, true
		}
		return st, false // a file or whiteout hides lower layers
	}
	return st, false
}

// applySpec merges a build's settings into a config, Dockerfile style.
func applySpec(c *v1.Config, spec BuildSpec) {
	if spec.Entrypoint != nil {
		c.Entrypoint = spec.Entrypoint
		c.Cmd = nil
	}
	if spec.Cmd != nil {
		c.Cmd = spec.Cmd
	}
	for _, e := range spec.Env {
		c.Env = setEnv(c.Env, e)
	}
	if spec.WorkingDir != "" {
		c.WorkingDir = spec.WorkingDir
	}
	if spec.User != "" {
		c.User = spec.User
	}
}

func setEnv(env []string, kv string) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}
