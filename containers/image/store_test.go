package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	cases := []struct {
		name, in, want string
		err            error
	}{
		{"short", "busybox", "busybox:latest", nil},
		{"tagged", "busybox:1.36", "busybox:1.36", nil},
		{"docker.io library", "docker.io/library/busybox", "busybox:latest", nil},
		{"index.docker.io", "index.docker.io/library/busybox:1.36", "busybox:1.36", nil},
		{"user repo", "luksa/kubia", "luksa/kubia:latest", nil},
		{"user repo on docker.io", "docker.io/luksa/kubia:v1", "luksa/kubia:v1", nil},
		{"loopback registry", "127.0.0.1:5000/app", "127.0.0.1:5000/app:latest", nil},
		{"other registry", "quay.io/team/app:2", "quay.io/team/app:2", nil},
		{"digest", "busybox@" + digest, "busybox@" + digest, nil},
		{"empty", "", "", ErrInvalidName},
		{"upper case", "BusyBox", "", ErrInvalidName},
		{"space", "busy box", "", ErrInvalidName},
		{"bad tag", "busybox:a/b:c", "", ErrInvalidName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Normalize(c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Normalize(%q) = %q, %v; want %v", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestGetByAnyName(t *testing.T) {
	s := openStore(t)
	img, err := s.Import("docker.io/library/busybox", makeRootfs(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"busybox", "busybox:latest", "docker.io/library/busybox:latest", img.ID} {
		got, err := s.Get(ref)
		if err != nil || got.ID != img.ID || got.Name != "busybox:latest" {
			t.Errorf("Get(%q) = %+v, %v", ref, got, err)
		}
	}
	if _, err := s.Get("busybox:other"); !errors.Is(err, ErrImageNotFound) {
		t.Errorf("Get(missing) = %v, want ErrImageNotFound", err)
	}
	if _, _, err := s.Resolve("nothere"); !errors.Is(err, ErrImageNotFound) {
		t.Errorf("Resolve(missing) = %v, want ErrImageNotFound", err)
	}
}

func TestBuild(t *testing.T) {
	s := openStore(t)
	if _, err := s.Import("base", makeRootfs(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Build(BuildSpec{Name: "base-cfg", From: "base", Cmd: []string{"old"},
		Env: []string{"PATH=/bin", "KEEP=1"}, WorkingDir: "/old"}); err != nil {
		t.Fatal(err)
	}
	host := t.TempDir()
	script := writeFile(t, filepath.Join(host, "server.sh"), []byte("echo hi\n"))
	os.Chmod(script, 0o750)
	data := filepath.Join(host, "data")
	writeFile(t, filepath.Join(data, "sub/one.txt"), []byte("one"))
	os.Chmod(filepath.Join(data, "sub/one.txt"), 0o600)
	os.Symlink("sub/one.txt", filepath.Join(data, "link"))
	scriptLink := filepath.Join(host, "script-link")
	os.Symlink(script, scriptLink)

	cases := []struct {
		name   string
		spec   BuildSpec
		want   ImageConfig
		layers int
	}{
		{"cmd and env override", BuildSpec{Name: "app", From: "base-cfg",
			Files: map[string]string{"/app/server.sh": script, "/app/data": data, "etc/conf.d/new": scriptLink},
			Cmd:   []string{"/app/server.sh"}, Env: []string{"PATH=/app:/bin", "NEW=2"}, WorkingDir: "/app", User: "nobody"},
			ImageConfig{Cmd: []string{"/app/server.sh"}, Env: []string{"PATH=/app:/bin", "KEEP=1", "NEW=2"}, WorkingDir: "/app", User: "nobody"}, 2},
		{"entrypoint drops the base cmd", BuildSpec{Name: "ep", From: "base-cfg", Entrypoint: []string{"/bin/tool"}},
			ImageConfig{Entrypoint: []string{"/bin/tool"}, Env: []string{"PATH=/bin", "KEEP=1"}, WorkingDir: "/old"}, 1},
		{"scratch", BuildSpec{Name: "lone", Files: map[string]string{"/server.sh": script}, Cmd: []string{"/server.sh"}},
			ImageConfig{Cmd: []string{"/server.sh"}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := s.Build(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			layers, cfg, err := s.Resolve(img.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, c.want) {
				t.Errorf("config = %+v, want %+v", cfg, c.want)
			}
			if len(layers) != c.layers {
				t.Errorf("%d layers, want %d", len(layers), c.layers)
			}
		})
	}
	layers, _, err := s.Resolve("app")
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 {
		t.Fatalf("app layers = %v, want base + 1", layers)
	}
	top := layers[1]
	modeIs(t, filepath.Join(top, "app/server.sh"), 0o750)
	modeIs(t, filepath.Join(top, "etc/conf.d/new"), 0o750)
	modeIs(t, filepath.Join(top, "app/data/sub/one.txt"), 0o600)
	readIs(t, filepath.Join(top, "app/data/sub/one.txt"), "one")
	if l, _ := os.Readlink(filepath.Join(top, "app/data/link")); l != "sub/one.txt" {
		t.Errorf("symlink = %q", l)
	}
	// etc/conf.d exists in the base with mode 0750: the new layer keeps it.
	modeIs(t, filepath.Join(top, "etc/conf.d"), 0o750|os.ModeDir)
	modeIs(t, filepath.Join(top, "app"), 0o755|os.ModeDir)
}

func modeIs(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Error(err)
		return
	}
	if st.Mode() != want {
		t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
	}
}

func TestBuildErrors(t *testing.T) {
	s := openStore(t)
	cases := []struct {
		name string
		spec BuildSpec
		err  error
	}{
		{"no name", BuildSpec{From: "scratch"}, ErrInvalidName},
		{"missing base", BuildSpec{Name: "x", From: "nothere"}, ErrImageNotFound},
		{"missing source", BuildSpec{Name: "x", Files: map[string]string{"/a": "/nonexistent/file"}}, ErrInvalid},
		{"bad env", BuildSpec{Name: "x", Env: []string{"NOEQUALS"}}, ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Build(c.spec); !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
		})
	}
}

func TestEnsureBusybox(t *testing.T) {
	if _, err := os.Stat(BusyboxPath); err != nil {
		t.Skipf("no %s on this host (apt-get install busybox-static): %v", BusyboxPath, err)
	}
	s := openStore(t)
	img, err := s.EnsureBusybox()
	if err != nil {
		t.Fatal(err)
	}
	layers, cfg, err := s.Resolve("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Cmd, []string{"sh"}) || len(layers) != 1 {
		t.Fatalf("cmd = %v, layers = %v", cfg.Cmd, layers)
	}
	root := layers[0]
	modeIs(t, filepath.Join(root, "bin/busybox"), 0o755)
	modeIs(t, filepath.Join(root, "tmp"), 0o777|os.ModeDir|os.ModeSticky)
	for _, d := range []string{"proc", "sys", "dev", "root", "etc"} {
		if st, err := os.Stat(filepath.Join(root, d)); err != nil || !st.IsDir() {
			t.Errorf("/%s: %v", d, err)
		}
	}
	if !sameFile(t, filepath.Join(root, "bin/sh"), filepath.Join(root, "bin/busybox")) {
		t.Errorf("bin/sh is not bin/busybox")
	}
	// The applet links work: busybox picks the applet from argv[0].
	if out, err := execOutput(filepath.Join(root, "bin/echo"), "applet", "ok"); err != nil || out != "applet ok\n" {
		t.Errorf("bin/echo = %q, %v", out, err)
	}
	b, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if !strings.HasPrefix(string(b), "root:x:0:0:") || !strings.Contains(string(b), "\nnobody:x:65534:") {
		t.Errorf("etc/passwd = %q", b)
	}
	again, err := s.EnsureBusybox()
	if err != nil || again.ID != img.ID {
		t.Fatalf("second EnsureBusybox = %v, %v; want the same image", again, err)
	}
	if err := s.Remove("busybox"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("layer kept after Remove: %v", err)
	}
	remade, err := s.EnsureBusybox()
	if err != nil || remade.Layers[0] != img.Layers[0] {
		t.Fatalf("re-made busybox has layer %v (%v), want the same content %s", remade, err, img.Layers[0])
	}
}

func TestRemove(t *testing.T) {
	s := openStore(t)
	if _, err := s.Import("base", makeRootfs(t)); err != nil {
		t.Fatal(err)
	}
	script := writeFile(t, filepath.Join(t.TempDir(), "s"), []byte("x"))
	if _, err := s.Build(BuildSpec{Name: "child", From: "base", Files: map[string]string{"/s": script}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag("base", "base:alias"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name        string
		remove      string
		err         error
		wantImages  []string
		wantLayers  int
		wantConfigs int
	}{
		{"one of two names", "base", nil, []string{"base:alias", "child:latest"}, 2, 2},
		{"missing", "base", ErrImageNotFound, []string{"base:alias", "child:latest"}, 2, 2},
		{"shared layer stays", "base:alias", nil, []string{"child:latest"}, 2, 1},
		{"last image", "child", nil, nil, 0, 0},
	}
	for _, c := range steps {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Remove(c.remove); !errors.Is(err, c.err) {
				t.Fatalf("Remove(%q) = %v, want %v", c.remove, err, c.err)
			}
			imgs, err := s.List()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, i := range imgs {
				names = append(names, i.Name)
				if _, _, err := s.Resolve(i.Name); err != nil {
					t.Errorf("Resolve(%s) after removal: %v", i.Name, err)
				}
			}
			if !reflect.DeepEqual(names, c.wantImages) {
				t.Errorf("images = %v, want %v", names, c.wantImages)
			}
			if n := countEntries(t, s.layersDir()); n != c.wantLayers {
				t.Errorf("%d layers, want %d", n, c.wantLayers)
			}
			if n := countEntries(t, s.imagesDir()); n != c.wantConfigs {
				t.Errorf("%d configs, want %d", n, c.wantConfigs)
			}
		})
	}
}

func TestPinnedLayersSurviveGC(t *testing.T) {
	var pinned []string
	s, err := Open(t.TempDir(), Options{NoSync: true, Pinned: func() []string { return pinned }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import("app", makeRootfs(t)); err != nil {
		t.Fatal(err)
	}
	pinned, _, _ = s.Resolve("app")
	if err := s.Remove("app"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pinned[0]); err != nil {
		t.Fatalf("pinned layer removed: %v", err)
	}
	pinned = nil
	if err := s.GC(); err != nil {
		t.Fatal(err)
	}
	if n := countEntries(t, s.layersDir()); n != 0 {
		t.Errorf("%d layers after unpinned GC", n)
	}
}

// TestMaliciousLayers: entries that try to write outside the layer fail
// the import, and nothing appears outside.
func TestMaliciousLayers(t *testing.T) {
	cases := []struct {
		name string
		ents func(outside string) []ent
	}{
		{"dot-dot name", func(string) []ent {
			return []ent{{name: "../../../../../../x-pwned", typ: tar.TypeReg, mode: 0o644, body: "x"}}
		}},
		{"dot-dot in the middle", func(string) []ent {
			return []ent{{name: "a/../../x-pwned", typ: tar.TypeReg, mode: 0o644, body: "x"}}
		}},
		{"absolute symlink then write through it", func(out string) []ent {
			return []ent{{name: "escape", typ: tar.TypeSymlink, link: out},
				{name: "escape/x-pwned", typ: tar.TypeReg, mode: 0o644, body: "x"}}
		}},
		{"relative symlink then write through it", func(string) []ent {
			return []ent{{name: "up", typ: tar.TypeSymlink, link: "../../../../../../../.."},
				{name: "up/tmp/x-pwned", typ: tar.TypeReg, mode: 0o644, body: "x"}}
		}},
		{"symlinked dir then a dir entry under it", func(out string) []ent {
			return []ent{{name: "d", typ: tar.TypeSymlink, link: out},
				{name: "d/sub/", typ: tar.TypeDir, mode: 0o755}}
		}},
		{"hard link out", func(out string) []ent {
			return []ent{{name: "h", typ: tar.TypeLink, link: "../../../../" + out + "/secret"}}
		}},
		{"hard link through a symlink", func(out string) []ent {
			return []ent{{name: "s", typ: tar.TypeSymlink, link: out},
				{name: "h", typ: tar.TypeLink, link: "s/secret"}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			writeFile(t, filepath.Join(outside, "secret"), []byte("secret"))
			s, err := Open(filepath.Join(base, "a/b/c/store"), Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			p := writeFile(t, filepath.Join(base, "evil.tar"), tarBytes(t, c.ents(outside)))
			_, err = s.Import("evil", p)
			if !errors.Is(err, ErrUnsafeLayer) {
				t.Errorf("Import = %v, want ErrUnsafeLayer", err)
			}
			found := findPwned(t, "/tmp", base)
			if len(found) > 0 {
				t.Errorf("written outside the layer: %v", found)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 1 {
				t.Errorf("outside dir now holds %d entries", len(ents))
			}
			if n := countEntries(t, s.layersDir()); n != 0 {
				t.Errorf("a rejected layer was kept")
			}
		})
	}
}

// findPwned looks for x-pwned files in the test's tree and right in /tmp.
func findPwned(t *testing.T, dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return filepath.SkipDir
			}
			if e.IsDir() && p != d && d == "/tmp" {
				return filepath.SkipDir
			}
			if strings.Contains(e.Name(), "x-pwned") {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}

func TestDotDotInsideIsFine(t *testing.T) {
	s := openStore(t)
	p := writeFile(t, filepath.Join(t.TempDir(), "ok.tar"), tarBytes(t, []ent{
		{name: "./a/b/../c", typ: tar.TypeReg, mode: 0o644, body: "c"},
		{name: "/abs/file", typ: tar.TypeReg, mode: 0o644, body: "abs"},
		{name: "lnk", typ: tar.TypeSymlink, link: "/etc/shadow"},
	}))
	if _, err := s.Import("ok", p); err != nil {
		t.Fatal(err)
	}
	layers, _, _ := s.Resolve("ok")
	readIs(t, filepath.Join(layers[0], "a/c"), "c")
	readIs(t, filepath.Join(layers[0], "abs/file"), "abs")
	if l, _ := os.Readlink(filepath.Join(layers[0], "lnk")); l != "/etc/shadow" {
		t.Errorf("absolute symlink target changed to %q", l)
	}
	st, _ := os.Stat(filepath.Join(layers[0], "a/c"))
	if want := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC); !st.ModTime().Equal(want) {
		t.Errorf("mtime = %v, want %v", st.ModTime(), want)
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	sa, err := os.Lstat(a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.Lstat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(sa, sb)
}

// TestTwoStoresShareDir: a second Store on the same directory (another
// process, in effect) sees the first one's changes.
func TestTwoStoresShareDir(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	img, err := a.Import("one", makeRootfs(t))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		ref  string
		want error
	}{
		{"import seen", func() error { return nil }, "one", nil},
		{"tag seen", func() error { _, err := a.Tag("one", "two"); return err }, "two", nil},
		{"removal seen", func() error { return a.Remove("one") }, "one", ErrImageNotFound},
		{"other name kept", func() error { return nil }, "two", nil},
		{"removal by the other store", func() error { return b.Remove("two") }, "two", ErrImageNotFound},
	}
	for _, c := range steps {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(); err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Store{a, b} {
				got, err := s.Get(c.ref)
				if !errors.Is(err, c.want) || (err == nil && got.ID != img.ID) {
					t.Errorf("Get(%q) = %v, %v; want %v", c.ref, got, err, c.want)
				}
			}
		})
	}
}

// TestConcurrentImportRemove races imports of one layer against removals:
// every image left resolves to layers that exist.
func TestConcurrentImportRemove(t *testing.T) {
	s := openStore(t)
	p := writeFile(t, filepath.Join(t.TempDir(), "r.tar"), tarDir(t, makeRootfs(t)))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				nm := fmt.Sprintf("img%d", (g+i)%3)
				var err error
				if g%2 == 0 {
					_, err = s.Import(nm, p)
				} else if err = s.Remove(nm); errors.Is(err, ErrImageNotFound) {
					err = nil
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	imgs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		layers, _, err := s.Resolve(img.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(layers[0], "etc/passwd")); err != nil {
			t.Errorf("%s: layer gone: %v", img.Name, err)
		}
	}
}

func TestBusyboxMissingOnHost(t *testing.T) {
	s := openStore(t)
	if _, err := s.buildBusybox(filepath.Join(t.TempDir(), "no-busybox")); !errors.Is(err, ErrNoBusybox) {
		t.Fatalf("err = %v, want ErrNoBusybox", err)
	}
}
