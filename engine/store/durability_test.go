package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// The tests below re-execute the test binary as a child; this variable
// tells the child what to do and where.
const childEnv = "MIN_STORE_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(child(role))
	}
	code := m.Run()
	if benchFixture.dir != "" {
		_ = os.RemoveAll(benchFixture.dir)
	}
	os.Exit(code)
}

// child runs as a separate process: "writer:<dir>" creates pods forever and
// prints each acknowledged name; "open:<dir>" tries to open the store;
// "hold:<dir>" reports the memory of a process holding the store.
func child(role string) int {
	what, dir, _ := strings.Cut(role, ":")
	if what == "hold" {
		return holdChild(dir)
	}
	s, err := Open(dir, Options{})
	if what == "open" {
		if err != nil {
			fmt.Println(err)
			return 3
		}
		fmt.Println("opened")
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for i := 0; ; i++ {
		p := pod("default", fmt.Sprint("p", i), map[string]string{"i": fmt.Sprint(i)})
		p.Annotations = map[string]string{"payload": strings.Repeat("x", i%3000)} // some big writes
		if _, err := s.Create(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println(p.Name)
	}
}

func startChild(t *testing.T, role string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(out)
}

// Every write the child saw acknowledged survives its kill -9.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	for round := range 3 {
		cmd, lines := startChild(t, "writer:"+dir)
		var acked []string
		deadline := time.Now().Add(time.Duration(100*(round+1)) * time.Millisecond)
		for lines.Scan() {
			acked = append(acked, lines.Text())
			if time.Now().After(deadline) && len(acked) > 50 {
				break
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() { // names printed before the kill are acknowledged too
			acked = append(acked, lines.Text())
		}
		_ = cmd.Wait()
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		for _, name := range acked {
			obj, err := s.Get("pods", "default", name)
			if err != nil {
				t.Fatalf("round %d: acknowledged %s lost: %v", round, name, err)
			}
			if p := obj.(*api.Pod); "p"+p.Labels["i"] != name || len(p.Spec.Containers) != 1 {
				t.Fatalf("round %d: %s damaged: %+v", round, name, p)
			}
		}
		// The store is usable: write more, then let the next round append.
		if _, err := s.Create(pod("default", fmt.Sprint("after", round), nil)); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged writes intact, %d bytes of torn tail repaired", round, len(acked), s.RepairedBytes())
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		clearPods(t, dir) // the next child starts at p0 again
	}
}

func clearPods(t *testing.T, dir string) {
	t.Helper()
	s := open(t, dir, Options{})
	pods, _, _ := s.List("pods", ListOptions{})
	for _, p := range pods {
		if _, err := s.Delete("pods", "default", p.GetObjectMeta().Name, ""); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
}

func TestTornTail(t *testing.T) {
	tests := []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"cut inside the last command", func(d []byte) []byte { return d[:len(d)-7] }},
		{"cut after the count line", func(d []byte) []byte { return append(d, "*3\r\n"...) }},
		{"cut inside a length line", func(d []byte) []byte { return append(d, "*3\r\n$3\r\nset\r\n$1"...) }},
		{"garbage", func(d []byte) []byte { return append(d, "\x7fELF garbage, not a command\n"...) }},
		{"NULs then a torn command", func(d []byte) []byte { return append(append(d, make([]byte, 100)...), "*2\r\n$3\r\ndel"...) }},
		{"NUL tail", func(d []byte) []byte { return append(d, make([]byte, 4096)...) }},
		{"bad command name", func(d []byte) []byte { return append(d, "*2\r\n$3\r\nxyz\r\n$1\r\na\r\n"...) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				mustCreate(t, s, pod("default", fmt.Sprint("p", i), nil))
			}
			s.Close()
			path := filepath.Join(dir, dbFile)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			s = open(t, dir, Options{})
			if s.RepairedBytes() == 0 {
				t.Error("nothing was repaired")
			}
			pods, _, _ := s.List("pods", ListOptions{})
			if len(pods) < 19 {
				t.Fatalf("%d pods left after repair, want at least 19", len(pods))
			}
			mustCreate(t, s, pod("default", "after", nil))
			s.Close()
			s = open(t, dir, Options{})
			if _, err := s.Get("pods", "default", "after"); err != nil || s.RepairedBytes() != 0 {
				t.Fatalf("after repair and a write: %v, %d bytes repaired again", err, s.RepairedBytes())
			}
		})
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use by this process") {
		t.Fatalf("second Open in one process: %v", err)
	}
	cmd, lines := startChild(t, "open:"+dir)
	lines.Scan()
	if got := lines.Text(); !strings.Contains(got, "in use by process "+fmt.Sprint(os.Getpid())) {
		t.Fatalf("Open from another process said %q", got)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the other process opened a locked store")
	}
	s.Close()
	cmd, lines = startChild(t, "open:"+dir)
	lines.Scan()
	if got := lines.Text(); got != "opened" || cmd.Wait() != nil {
		t.Fatalf("after Close, another process could not open: %q", got)
	}
}
