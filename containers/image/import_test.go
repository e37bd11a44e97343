package image

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"
)

func TestImportRootfs(t *testing.T) {
	rootfs := makeRootfs(t)
	tarball := tarDir(t, rootfs)
	dir := t.TempDir()
	link := filepath.Join(dir, "rootfs-link")
	if err := os.Symlink(rootfs, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
	}{
		{"directory", rootfs},
		{"symlink to the directory", link},
		{"tar", writeFile(t, filepath.Join(dir, "rootfs.tar"), tarball)},
		{"gzip tar", writeFile(t, filepath.Join(dir, "rootfs.tar.gz"), gzipBytes(t, tarball))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t)
			img, err := s.Import("myroot", c.path)
			if err != nil {
				t.Fatal(err)
			}
			if img.Name != "myroot:latest" || !isID(img.ID) || len(img.Layers) != 1 {
				t.Fatalf("image = %+v", img)
			}
			if img.Size != int64(len("#!/bin/sh\necho tool\n")+len("root:x:0:0::/root:/bin/sh\n")+len("s3cret")) {
				t.Errorf("size = %d", img.Size)
			}
			layers, cfg, err := s.Resolve("myroot")
			if err != nil {
				t.Fatal(err)
			}
			if len(layers) != 1 || !filepath.IsAbs(layers[0]) {
				t.Fatalf("layers = %v", layers)
			}
			if !reflect.DeepEqual(cfg, ImageConfig{}) {
				t.Errorf("config = %+v, want empty", cfg)
			}
			sameTree(t, rootfs, layers[0])
			buf := make([]byte, 8)
			_, werr := unix.Lgetxattr(filepath.Join(rootfs, "etc/passwd"), "user.min.test", buf)
			n, err := unix.Lgetxattr(filepath.Join(layers[0], "etc/passwd"), "user.min.test", buf)
			if werr == nil && strings.Contains(c.name, "directory") && (err != nil || string(buf[:n]) != "v") {
				t.Errorf("xattr user.min.test = %q, %v; want v", buf[:n], err)
			}
		})
	}
}

// TestImportSameLayerOnce: a rootfs imported from a directory and from a
// tar of it gives one layer (the directory import goes through a tar too).
func TestImportConcurrentSameLayer(t *testing.T) {
	s := openStore(t)
	p := writeFile(t, filepath.Join(t.TempDir(), "r.tar"), tarDir(t, makeRootfs(t)))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Import("img"+string(rune('a'+i)), p)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	imgs, err := s.List()
	if err != nil || len(imgs) != 8 {
		t.Fatalf("List = %d images, %v", len(imgs), err)
	}
	if n := countEntries(t, s.layersDir()); n != 1 {
		t.Errorf("%d layer dirs, want 1", n)
	}
	if n := countEntries(t, s.tmpDir()); n != 0 {
		t.Errorf("tmp holds %d entries after imports", n)
	}
}

func countEntries(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// checkCrafted checks an imported craftedImage: config kept, ID equal to
// the config digest, both layers with their whiteouts in overlayfs form.
func checkCrafted(t *testing.T, s *Store, ref string, want v1.Image) {
	t.Helper()
	img, err := s.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	wantID, _ := want.ConfigName()
	if img.ID != wantID.String() {
		t.Errorf("ID = %s, want the config digest %s", img.ID, wantID)
	}
	layers, cfg, err := s.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := ImageConfig{Entrypoint: testConfig.Entrypoint, Cmd: testConfig.Cmd, Env: testConfig.Env,
		WorkingDir: testConfig.WorkingDir, User: testConfig.User}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Errorf("config = %+v, want %+v", cfg, wantCfg)
	}
	if len(layers) != 2 {
		t.Fatalf("layers = %v", layers)
	}
	readIs(t, filepath.Join(layers[0], "a/gone"), "gone")
	readIs(t, filepath.Join(layers[1], "a/added"), "added")
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(layers[1], "a/gone"), &st); err != nil {
		t.Fatalf("whiteout: %v", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("a/gone in layer 2: mode %o rdev %d, want a 0/0 char device", st.Mode, st.Rdev)
	}
	if _, err := os.Lstat(filepath.Join(layers[1], "a/.wh.gone")); !os.IsNotExist(err) {
		t.Errorf(".wh. file kept: %v", err)
	}
	attr := "user.overlay.opaque"
	if os.Geteuid() == 0 {
		attr = "trusted.overlay.opaque"
	}
	buf := make([]byte, 8)
	n, err := unix.Lgetxattr(filepath.Join(layers[1], "opq"), attr, buf)
	if err != nil || string(buf[:n]) != "y" {
		t.Errorf("opq: %s = %q, %v; want y", attr, buf[:n], err)
	}
	if os.Geteuid() == 0 {
		checkOverlay(t, layers)
	}
}

func readIs(t *testing.T, p, want string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil || string(b) != want {
		t.Errorf("%s = %q, %v; want %q", p, b, err, want)
	}
}

// checkOverlay mounts the layers as overlayfs and looks at the merged
// view: what the runtime's containers will see.
func checkOverlay(t *testing.T, layers []string) {
	t.Helper()
	mnt := t.TempDir()
	lower := layers[1] + ":" + layers[0]
	if err := unix.Mount("overlay", mnt, "overlay", unix.MS_RDONLY, "lowerdir="+lower); err != nil {
		t.Fatalf("mount overlay: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	readIs(t, filepath.Join(mnt, "a/keep"), "keep")
	readIs(t, filepath.Join(mnt, "a/added"), "added")
	readIs(t, filepath.Join(mnt, "opq/new"), "new")
	for _, gone := range []string{"a/gone", "opq/old"} {
		if _, err := os.Lstat(filepath.Join(mnt, gone)); !os.IsNotExist(err) {
			t.Errorf("%s visible through the overlay: %v", gone, err)
		}
	}
}

func TestImportDockerArchive(t *testing.T) {
	img := craftedImage(t)
	dir := t.TempDir()
	tag, _ := name.NewTag("example.com/team/app:v1")
	p := filepath.Join(dir, "app.tar")
	tag2, _ := name.NewTag("example.com/team/app:latest")
	if err := tarball.MultiRefWriteToFile(p, map[name.Reference]v1.Image{tag: img, tag2: img}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	gz := writeFile(t, filepath.Join(dir, "app.tar.gz"), gzipBytes(t, raw))
	cases := []struct {
		name, as, path, ref string
	}{
		{"named", "mine", p, "mine:latest"},
		{"tag from the archive", "", p, "example.com/team/app:v1"},
		{"gzip", "zipped:1", gz, "zipped:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t)
			got, err := s.Import(c.as, c.path)
			if err != nil {
				t.Fatal(err)
			}
			checkCrafted(t, s, c.ref, img)
			if c.as != "" && got.Name != c.ref {
				t.Errorf("name = %q, want %q", got.Name, c.ref)
			}
			if c.as == "" { // named by the archive: both its tags
				imgs, _ := s.List()
				if len(imgs) != 2 || imgs[0].Name != "example.com/team/app:latest" || imgs[1].ID != imgs[0].ID {
					t.Errorf("images %v: want both tags of the archive", imgs)
				}
			}
		})
	}
}

func TestImportOCILayout(t *testing.T) {
	img := craftedImage(t)
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	err = lp.AppendImage(img, layout.WithAnnotations(map[string]string{
		annotRefName: "v2", annotContainerdName: "docker.io/luksa/kubia:v2"}))
	if err != nil {
		t.Fatal(err)
	}
	layoutTar := writeFile(t, filepath.Join(t.TempDir(), "layout.tar"), tarDir(t, dir))
	cases := []struct {
		name, as, path, ref string
	}{
		{"directory", "oci-app", dir, "oci-app:latest"},
		{"name from the annotation", "", dir, "luksa/kubia:v2"},
		{"tar", "docker.io/library/ocitar:3", layoutTar, "ocitar:3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t)
			got, err := s.Import(c.as, c.path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != c.ref {
				t.Errorf("name = %q, want %q", got.Name, c.ref)
			}
			checkCrafted(t, s, c.ref, img)
		})
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		path string
		want format
		err  error
	}{
		{"rootfs tar with a manifest.json deep inside",
			writeFile(t, filepath.Join(dir, "a.tar"), tarBytes(t, []ent{
				{name: "app/manifest.json", typ: tar.TypeReg, mode: 0o644, body: "{}"}})), formatRootfsTar, nil},
		{"top-level manifest.json", writeFile(t, filepath.Join(dir, "b.tar"), tarBytes(t, []ent{
			{name: "manifest.json", typ: tar.TypeReg, mode: 0o644, body: "[]"}})), formatDockerArchive, nil},
		{"empty tar", writeFile(t, filepath.Join(dir, "c.tar"), tarBytes(t, nil)), formatRootfsTar, nil},
		{"not an archive", writeFile(t, filepath.Join(dir, "d.txt"), []byte(strings.Repeat("hello ", 200))), 0, ErrUnsupportedFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := detect(c.path)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("detect = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	s := openStore(t)
	dir := t.TempDir()
	full := tarDir(t, makeRootfs(t))
	cases := []struct {
		name, as, path string
		err            error
	}{
		{"missing file", "x", filepath.Join(dir, "nope.tar"), os.ErrNotExist},
		{"no name", "", makeRootfs(t), ErrInvalidName},
		{"bad name", "Upper/Case", makeRootfs(t), ErrInvalidName},
		{"truncated tar", "x", writeFile(t, filepath.Join(dir, "cut.tar"), full[:len(full)/2+100]), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Import(c.as, c.path)
			if err == nil || (c.err != nil && !errors.Is(err, c.err)) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
		})
	}
	if imgs, _ := s.List(); len(imgs) != 0 {
		t.Errorf("failed imports left images: %v", imgs)
	}
	if n := countEntries(t, s.layersDir()) + countEntries(t, s.tmpDir()); n != 0 {
		t.Errorf("failed imports left %d layer or tmp entries", n)
	}
}

// TestImportLayoutPicksByName: a layout with several images gives the one
// whose ref name annotation matches the name asked for.
func TestImportLayoutPicksByName(t *testing.T) {
	other, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	img := craftedImage(t)
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for tag, im := range map[string]v1.Image{"v1": other, "v2": img} {
		if err := lp.AppendImage(im, layout.WithAnnotations(map[string]string{annotRefName: tag})); err != nil {
			t.Fatal(err)
		}
	}
	s := openStore(t)
	for _, ref := range []string{"app:v2", "v2"} {
		if _, err := s.Import(ref, dir); err != nil {
			t.Fatal(err)
		}
		checkCrafted(t, s, ref, img)
	}
}
