package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/minspace/min/engine/daemonctl"
	"github.com/rogpeppe/go-internal/testscript"
)

var minishOnce struct {
	sync.Once
	dir string
	err error
}

// minishBin builds minish and min-engine (which minish execs for the
// daemon and --embedded) into one folder once per test run and returns
// the folder.
func minishBin(t *testing.T) string {
	t.Helper()
	minishOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minish-bin")
		if err != nil {
			minishOnce.err = err
			return
		}
		out, err := exec.Command("go", "build", "-o", dir+"/", "../cmd/minish", "../cmd/min-engine").CombinedOutput()
		if err != nil {
			minishOnce.err = &buildError{out: string(out), err: err}
		}
		minishOnce.dir = dir
	})
	if minishOnce.err != nil {
		t.Fatal(minishOnce.err)
	}
	return minishOnce.dir
}

// removeBuilds deletes the minish builds of this test run; TestMain
// calls it once the tests and benchmarks are done.
func removeBuilds() {
	for _, dir := range []string{minishOnce.dir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// TestMinish runs the golden scripts of testdata/minish: minish as script
// runner, its errors and exit codes, dry runs, laziness.
func TestMinish(t *testing.T) {
	bin := minishBin(t)
	forEngineMode(t, func(t *testing.T, embedded bool) {
		testscript.Run(t, testscript.Params{
			Dir: "testdata/minish",
			Setup: func(env *testscript.Env) error {
				env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
				env.Setenv("MIN_HOME", filepath.Join(env.WorkDir, "home"))
				env.Setenv("MIN_NO_HOST_NODE", "1")
				env.Setenv("MINISH_BIN", bin)
				setEngineMode(env, embedded)
				return nil
			},
			Condition: func(cond string) (bool, error) {
				if cond == "embedded" {
					return embedded, nil
				}
				return false, fmt.Errorf("unknown condition %q", cond)
			},
		})
	})
}

// console drives minish's REPL through a pseudo-terminal.
type console struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output already matched by expect
	done chan struct{}
}

func startREPL(t *testing.T, home string) *console {
	t.Helper()
	// The REPL's first cluster call starts an engine daemon for home.
	t.Cleanup(func() { daemonctl.Stop(home, 30*time.Second) })
	cmd := exec.Command(filepath.Join(minishBin(t), "minish"))
	cmd.Env = append(os.Environ(), "MIN_HOME="+home, "MIN_NO_HOST_NODE=1", "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	c := &console{t: t, pty: f, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		f.Close()
	})
	c.expect("Ctrl-D exits")
	c.expect("> ")
	return c
}

func (c *console) send(s string) {
	c.t.Helper()
	if _, err := c.pty.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

// expect waits until want appears in the output after what earlier
// expects matched.
func (c *console) expect(want string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		all := stripANSI(c.out.String())
		c.mu.Unlock()
		if c.seen > len(all) {
			c.seen = len(all)
		}
		if i := strings.Index(all[c.seen:], want); i >= 0 {
			c.seen += i + len(want)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("timed out waiting for %q; output since the last match:\n%s", want, stripANSI(c.out.String())[c.seen:])
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// TestREPL drives the REPL on a pseudo-terminal: expression printing, _,
// multi-line input, pretty tables, completion (globals, module functions,
// methods, live object names), error output, Ctrl-C (clears the line;
// cancels a running call) and Ctrl-D.
func TestREPL(t *testing.T) {
	home := t.TempDir()
	c := startREPL(t, home)

	c.send("1 + 1\r")
	c.expect("2\n")
	c.send("_ * 10\r")
	c.expect("20\n")

	c.send("for i = 1, 2 do\r")
	c.expect(">> ")
	c.send("print('n' .. i) end\r")
	c.expect("n1\nn2\n")

	c.send("{b = 1, a = {x = 'y'}}\r")
	c.expect("a = {\n    x = \"y\",\n  },\n  b = 1,\n}")

	c.send("pod.cr\t{name = 'kubia-manual', image = 'busybox'}\r")
	c.expect("pod/default/kubia-manual (Pending)")

	c.send("pod.get(\"ku\t\")\r")
	c.expect("pod/default/kubia-manual (Pending)")

	c.send("p = _\r")
	c.send("p:ya\t()\r")
	c.expect("name: kubia-manual")

	c.send("pod.delete('ghost')\r")
	c.expect(`stdin:1: pods "ghost" not found`)

	c.send("this is not lua\x03")
	c.send("2 + 3\r")
	c.expect("5\n")

	c.send("pod.wait('kubia-manual', {phase = 'Running'})\r")
	time.Sleep(500 * time.Millisecond)
	c.send("\x03")
	c.expect("stdin:1:")
	c.send("6 * 7\r")
	c.expect("42\n")

	c.send("\x04")
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl-D did not end the REPL")
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	hist, err := os.ReadFile(filepath.Join(home, "minish_history"))
	if err != nil || !strings.Contains(string(hist), "for i = 1, 2 do\nprint('n' .. i) end") && !strings.Contains(string(hist), "6 * 7") {
		t.Errorf("history: %q, %v", hist, err)
	}
}
