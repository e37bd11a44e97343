package image

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const crashEnv = "MIN_IMAGE_CRASH_CHILD_STORE"

// stallingTransport serves the first bytes of every blob, then blocks:
// a pull that is in the middle of unpacking a layer when it is killed.
type stallingTransport struct{ after int64 }

func (s stallingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && strings.Contains(req.URL.Path, "/blobs/") && req.Method == http.MethodGet {
		resp.Body = &stallAfter{r: resp.Body, left: s.after}
	}
	return resp, err
}

// stallAfter passes left bytes through, then blocks forever. Small blobs
// (the config) end before that and pass whole.
type stallAfter struct {
	r    io.ReadCloser
	left int64
}

func (s *stallAfter) Read(p []byte) (int, error) {
	if s.left <= 0 {
		select {} // hang until killed
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	return n, err
}

func (s *stallAfter) Close() error { return s.r.Close() }

// TestCrashChild is the child of TestKilledPullLeavesNothing.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("only runs as the child of TestKilledPullLeavesNothing")
	}
	host, _ := loopbackRegistry(t)
	img, err := random.Image(4<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/big:v1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Pull(context.Background(), host+"/big:v1", PullOptions{Transport: stallingTransport{after: 1 << 20}})
	t.Fatal("the pull returned: it was meant to hang until killed")
}

// TestKilledPullLeavesNothing kills (SIGKILL) a process in the middle of
// unpacking a layer: the store shows no image and no layer, and the next
// Open clears the half-extracted files.
func TestKilledPullLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for !halfExtracted(filepath.Join(dir, "tmp")) {
		if time.Now().After(deadline) {
			t.Fatal("the child never started extracting")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()

	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if imgs, err := s.List(); err != nil || len(imgs) != 0 {
		t.Errorf("List = %v, %v; want nothing", imgs, err)
	}
	if n := countEntries(t, s.layersDir()) + countEntries(t, s.tmpDir()); n != 0 {
		t.Errorf("%d layer or tmp entries after the crash and a new Open", n)
	}
}

// halfExtracted tells whether a layer extraction has written a file.
func halfExtracted(tmp string) bool {
	found := false
	filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if st, err := d.Info(); err == nil && st.Size() > 0 {
				found = true
			}
		}
		return nil
	})
	return found
}
