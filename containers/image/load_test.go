package image

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// loadFixtures writes the archives TestLoad reads: a docker save of two
// images (one with two tags), its gzip, an OCI layout of two named images
// (directory and tar), and archives whose images have no usable name.
type loadFixtures struct {
	crafted, other                   v1.Image
	docker, dockerGz, layout, ociTar string
	untagged, bareTag, rootfs        string
}

func writeLoadFixtures(t *testing.T) loadFixtures {
	t.Helper()
	dir := t.TempDir()
	other, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := loadFixtures{crafted: craftedImage(t), other: other, rootfs: makeRootfs(t)}
	tag := func(s string) name.Reference {
		r, err := name.NewTag(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.docker = filepath.Join(dir, "two.tar")
	refs := map[name.Reference]v1.Image{tag("example.com/team/app:v1"): f.crafted,
		tag("example.com/team/app:latest"): f.crafted, tag("other:1"): other}
	if err := tarball.MultiRefWriteToFile(f.docker, refs); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(f.docker)
	f.dockerGz = writeFile(t, filepath.Join(dir, "two.tar.gz"), gzipBytes(t, raw))
	f.layout = filepath.Join(dir, "layout")
	lp, err := layout.Write(f.layout, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		img   v1.Image
		annot map[string]string
	}{
		{f.crafted, map[string]string{annotRefName: "v2", annotContainerdName: "docker.io/luksa/kubia:v2"}},
		{other, map[string]string{annotRefName: "registry.local/other:3"}},
	} {
		if err := lp.AppendImage(a.img, layout.WithAnnotations(a.annot)); err != nil {
			t.Fatal(err)
		}
	}
	f.ociTar = writeFile(t, filepath.Join(dir, "layout.tar"), tarDir(t, f.layout))
	digest, _ := f.crafted.Digest()
	f.untagged = filepath.Join(dir, "untagged.tar")
	byDigest, _ := name.NewDigest("example.com/app@" + digest.String())
	if err := tarball.MultiRefWriteToFile(f.untagged, map[name.Reference]v1.Image{byDigest: f.crafted}); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(dir, "bare")
	lp, err = layout.Write(bare, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(f.crafted, layout.WithAnnotations(map[string]string{annotRefName: "v2"})); err != nil {
		t.Fatal(err)
	}
	f.bareTag = bare
	return f
}

func TestLoad(t *testing.T) {
	f := writeLoadFixtures(t)
	cases := []struct {
		name  string
		path  string
		want  []string // names loaded, sorted
		check map[string]v1.Image
		err   error
	}{
		{"docker save of two images", f.docker,
			[]string{"example.com/team/app:latest", "example.com/team/app:v1", "other:1"},
			map[string]v1.Image{"example.com/team/app:v1": f.crafted, "example.com/team/app:latest": f.crafted}, nil},
		{"gzip docker save", f.dockerGz,
			[]string{"example.com/team/app:latest", "example.com/team/app:v1", "other:1"}, nil, nil},
		{"OCI layout directory", f.layout, []string{"luksa/kubia:v2", "registry.local/other:3"},
			map[string]v1.Image{"luksa/kubia:v2": f.crafted}, nil},
		{"OCI layout tar", f.ociTar, []string{"luksa/kubia:v2", "registry.local/other:3"}, nil, nil},
		{"docker archive without tags", f.untagged, nil, nil, ErrInvalidName},
		{"layout naming a bare tag", f.bareTag, nil, nil, ErrInvalidName},
		{"root file system", f.rootfs, nil, nil, ErrInvalidName},
		{"missing file", filepath.Join(t.TempDir(), "nope.tar"), nil, nil, os.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openStore(t)
			got, err := s.Load(c.path)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				if imgs, _ := s.List(); len(imgs) != 0 {
					t.Errorf("a failed load left images: %v", imgs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, img := range got {
				names = append(names, img.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, c.want) {
				t.Errorf("loaded %v, want %v", names, c.want)
			}
			for ref, img := range c.check {
				checkCrafted(t, s, ref, img)
			}
			imgs, _ := s.List()
			if len(imgs) != len(c.want) {
				t.Errorf("store holds %d images, want %d", len(imgs), len(c.want))
			}
		})
	}
}

// TestHasGarbage: the flag is up when the store opens, after an import
// takes a name from another image and after a GC kept a pinned layer; GC
// clears it and frees what it announced.
func TestHasGarbage(t *testing.T) {
	var pinned []string
	s, err := Open(t.TempDir(), Options{NoSync: true, Pinned: func() []string { return pinned }})
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, want bool) {
		t.Helper()
		if got := s.HasGarbage(); got != want {
			t.Fatalf("%s: HasGarbage = %v, want %v", what, got, want)
		}
	}
	gc := func() {
		t.Helper()
		if err := s.GC(); err != nil {
			t.Fatal(err)
		}
	}
	step("opened", true)
	gc()
	step("after GC", false)
	if _, err := s.Import("app", makeRootfs(t)); err != nil {
		t.Fatal(err)
	}
	step("first import", false)
	pinned, _, _ = s.Resolve("app") // a container runs the first app
	script := writeFile(t, filepath.Join(t.TempDir(), "s"), []byte("new"))
	if _, err := s.Build(BuildSpec{Name: "app", Files: map[string]string{"/s": script}}); err != nil {
		t.Fatal(err)
	}
	step("a new image took the name", true)
	gc()
	step("GC kept the pinned layer", true)
	if _, err := os.Stat(pinned[0]); err != nil {
		t.Fatalf("pinned layer removed: %v", err)
	}
	pinned = nil // the container is gone
	gc()
	step("after the unpinned GC", false)
	if n := countEntries(t, s.layersDir()); n != 1 {
		t.Errorf("%d layers, want only the new app's", n)
	}
	if n := countEntries(t, s.imagesDir()); n != 1 {
		t.Errorf("%d configs, want only the new app's", n)
	}
}
