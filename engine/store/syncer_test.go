package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSyncer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := startSyncer(path, 5*time.Millisecond)
	defer y.close()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("the first sync", func() bool { return y.syncs.Load() >= 1 })
	time.Sleep(30 * time.Millisecond)
	idle := y.syncs.Load()
	time.Sleep(30 * time.Millisecond)
	if y.syncs.Load() != idle {
		t.Fatal("synced with nothing written")
	}
	y.touch()
	waitFor("a sync after a write", func() bool { return y.syncs.Load() > idle })
	// A file renamed into place (buntdb's shrink) is synced without a write.
	n := y.syncs.Load()
	if err := os.WriteFile(path+".tmp", []byte("b"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
	waitFor("a sync of the new file", func() bool { return y.syncs.Load() > n })
}
