package tests

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chzyer/readline"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine/cluster"
)

// forwardOutput is the verb's output, read by the test while the verb writes it.
type forwardOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *forwardOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *forwardOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runningPod gives a Lua state on a host engine of the test, with a busybox
// pod "web" Running the shell command script, and the state's output.
func runningPod(ctx context.Context, t *testing.T, script string) (*bindings.State, *forwardOutput, *forwardOutput) {
	t.Helper()
	e := hostEngine(t)
	out, errs := &forwardOutput{}, &forwardOutput{}
	s, err := bindings.New(bindings.Options{
		Engine: func(context.Context) (cluster.Interface, error) { return e, nil },
		Stdout: out, Stderr: errs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.DoString(ctx, `pod.create{name = "web", image = "busybox", command = {"sh", "-c", ...}}:wait{phase = "Running", timeout = 60}`,
		"setup", script); err != nil {
		t.Fatal(err)
	}
	return s, out, errs
}

// TestPortForwardVerb runs `minish port-forward pod/web :8080 :8081` (the
// verb, through kubectl.main) against a real busybox pod serving HTTP on
// 8080: kubectl's lines, a request through the forward, "Handling
// connection for N", and exit 0 on Ctrl-C.
func TestPortForwardVerb(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, out, errs := runningPod(ctx, t, "echo hello > /tmp/hostname; exec httpd -f -p 8080 -h /tmp")

	runCtx, interrupt := context.WithCancel(ctx) // cancelling it is Ctrl-C
	defer interrupt()
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := s.Kubectl(runCtx, []string{"port-forward", "pod/web", ":8080", ":8081"})
		done <- result{code, err}
	}()
	forwarding := regexp.MustCompile(`(?m)^Forwarding from 127\.0\.0\.1:([0-9]+) -> 8080$`)
	var port string
	for deadline := time.Now().Add(30 * time.Second); port == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := forwarding.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "-> 8081\n") {
			port = m[1]
		}
	}
	if port == "" {
		t.Fatalf("no Forwarding lines; stdout:\n%s\nstderr:\n%s", out.String(), errs.String())
	}
	var body []byte
	for i := 0; i < 50; i++ { // httpd may still be starting
		resp, err := http.Get("http://127.0.0.1:" + port + "/hostname")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.TrimSpace(string(body)) != "hello" {
		t.Errorf("GET /hostname through the port-forward: %q (stderr %q)", body, errs.String())
	}
	interrupt()
	res := <-done
	if res.err != nil || res.code != 0 {
		t.Errorf("after Ctrl-C: code %d, err %v; kubectl port-forward exits 0", res.code, res.err)
	}
	got := out.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	want := regexp.MustCompile(`^Forwarding from (127\.0\.0\.1|\[::1\]):[0-9]+ -> 808[01]$`)
	n := 0
	for _, l := range lines {
		switch {
		case want.MatchString(l):
			n++
		case l != "Handling connection for "+port:
			t.Errorf("unexpected line %q", l)
		}
	}
	if n < 2 || !strings.Contains(got, "Handling connection for "+port+"\n") {
		t.Errorf("stdout:\n%s", got)
	}
	if _, err := http.Get("http://127.0.0.1:" + port + "/hostname"); err == nil {
		t.Error("the port still answers after Ctrl-C")
	}
}

// TestExecVerbTTYNeedsATerminal: `minish exec -it` with a standard input
// that is no terminal says so as kubectl does and runs the command
// without one.
func TestExecVerbTTYNeedsATerminal(t *testing.T) {
	if readline.IsTerminal(int(os.Stdin.Fd())) {
		t.Skip("standard input is a terminal: the verb would take it over")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, out, errs := runningPod(ctx, t, "exec sleep 3600")
	code, err := s.Kubectl(ctx, []string{"exec", "-it", "web", "--", "sh", "-c", "tty; echo done"})
	if err != nil || code != 0 {
		t.Fatalf("exit %d, err %v, stderr %q", code, err, errs.String())
	}
	if out.String() != "not a tty\ndone\n" || errs.String() != "Unable to use a TTY - input is not a terminal or the right kind of file\n" {
		t.Fatalf("stdout %q, stderr %q", out.String(), errs.String())
	}
}
