package tests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The real kubectl (Debian's /usr/bin/kubectl dispatcher, which runs the
// binary matching the server's /version) against a real busybox pod:
// exec with exit codes, stdin and a terminal, logs, and port-forward, each
// over WebSocket (kubectl's default) and SPDY (its fallback, forced with
// KUBECTL_*_WEBSOCKETS=false).

const kubectlPath = "/usr/bin/kubectl"

// kubectlCmd builds a kubectl command against the engine, with a fresh
// HOME (no discovery cache from another run) and the given environment.
func kubectlCmd(ctx context.Context, k *cgEngine, home string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, kubectlPath, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C"}, env...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// kubectlOut runs kubectl to its end with stdin and returns stdout,
// stderr and the exit code.
func kubectlOut(t *testing.T, k *cgEngine, home string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := kubectlCmd(ctx, k, home, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("kubectl %v: %v", args, err)
	return "", "", -1
}

// The transports kubectl 1.30+ can use for exec and port-forward.
var kubectlTransports = []struct {
	name string
	env  []string
}{
	{"websocket", nil},
	{"spdy", []string{"KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false", "KUBECTL_PORT_FORWARD_WEBSOCKETS=false"}},
}

// unknownStreamLog is what client-go's WebSocket executor logs when the
// server's first, empty frame (the kubelet's and the API server's "streams
// are ready" signal, which Min sends too) arrives before kubectl has
// registered its streams: a race inside kubectl, harmless, and the same
// against Kubernetes.
var unknownStreamLog = regexp.MustCompile(`(?m)^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] Unknown stream id \d+, discarding message\n`)

func TestKubectlExecLogsPortForward(t *testing.T) {
	if _, err := os.Stat(kubectlPath); err != nil {
		t.Skipf("kubectl is not installed (%s; CI installs Debian's kubectl package)", kubectlPath)
	}
	k := startCGEngine(t, true)
	k.startPod(t, cgWebPod("web"))
	home := t.TempDir()

	for _, tr := range kubectlTransports {
		t.Run("exec/"+tr.name, func(t *testing.T) {
			cases := []struct {
				name, stdin    string
				args           []string
				stdout, stderr string
				code           int
			}{
				{name: "echo", args: []string{"exec", "web", "--", "echo", "hi"}, stdout: "hi\n"},
				{name: "exit code", args: []string{"exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"},
					stdout: "out\n", stderr: "err\ncommand terminated with exit code 3\n", code: 3},
				{name: "stdin to its end", stdin: "x\ny\n", args: []string{"exec", "-i", "web", "--", "cat"}, stdout: "x\ny\n"},
				{name: "stdin to a shell", stdin: "echo from-stdin; exit 7\n", args: []string{"exec", "-i", "web", "-c", "web", "--", "sh"},
					stdout: "from-stdin\n", stderr: "command terminated with exit code 7\n", code: 7},
				{name: "no such container", args: []string{"exec", "web", "-c", "nope", "--", "true"},
					stderr: "Error from server (BadRequest): container nope is not valid for pod web\n", code: 1},
			}
			for _, c := range cases {
				stdout, stderr, code := kubectlOut(t, k, home, tr.env, c.stdin, c.args...)
				stderr = unknownStreamLog.ReplaceAllString(stderr, "")
				if stdout != c.stdout || stderr != c.stderr || code != c.code {
					t.Errorf("%s: stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d", c.name, stdout, stderr, code, c.stdout, c.stderr, c.code)
				}
			}
		})
		t.Run("exec-tty/"+tr.name, func(t *testing.T) { kubectlTTY(t, k, home, tr.env) })
		t.Run("port-forward/"+tr.name, func(t *testing.T) { kubectlPortForward(t, k, home, tr.env) })
	}

	t.Run("logs", func(t *testing.T) {
		stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z hello\n$`)
		cases := []struct {
			name string
			args []string
			want *regexp.Regexp
		}{
			{"plain", []string{"logs", "web"}, regexp.MustCompile(`^hello\n$`)},
			{"container", []string{"logs", "web", "-c", "web"}, regexp.MustCompile(`^hello\n$`)},
			{"tail", []string{"logs", "web", "--tail=1"}, regexp.MustCompile(`^hello\n$`)},
			{"tail 0", []string{"logs", "web", "--tail=0"}, regexp.MustCompile(`^$`)},
			{"since", []string{"logs", "web", "--since=1h"}, regexp.MustCompile(`^hello\n$`)},
			{"since-time", []string{"logs", "web", "--since-time=" + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, regexp.MustCompile(`^hello\n$`)},
			{"limit-bytes", []string{"logs", "web", "--limit-bytes=3"}, regexp.MustCompile(`^hel$`)},
			{"timestamps", []string{"logs", "web", "--timestamps"}, stamp},
		}
		for _, c := range cases {
			stdout, stderr, code := kubectlOut(t, k, home, nil, "", c.args...)
			if !c.want.MatchString(stdout) || stderr != "" || code != 0 {
				t.Errorf("%s: stdout %q stderr %q exit %d, want %v", c.name, stdout, stderr, code, c.want)
			}
		}
		_, stderr, code := kubectlOut(t, k, home, nil, "", "logs", "web", "--previous")
		if want := "Error from server (BadRequest): previous terminated container \"web\" in pod \"web\" not found\n"; stderr != want || code != 1 {
			t.Errorf("--previous: %q %d, want %q", stderr, code, want)
		}
		kubectlFollow(t, k, home)
	})
}

// kubectlFollow runs kubectl logs -f and sees a line the container
// writes later.
func kubectlFollow(t *testing.T, k *cgEngine, home string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := kubectlCmd(ctx, k, home, nil, "logs", "-f", "web")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	r := bufio.NewReader(out)
	if line, err := r.ReadString('\n'); line != "hello\n" {
		t.Fatalf("first line %q %v", line, err)
	}
	if _, stderr, code := kubectlOut(t, k, home, nil, "", "exec", "web", "--", "sh", "-c", "echo later > /proc/1/fd/1"); code != 0 {
		t.Fatalf("exec: %s", stderr)
	}
	if line, err := r.ReadString('\n'); line != "later\n" {
		t.Fatalf("followed line %q %v", line, err)
	}
}

// kubectlTTY runs kubectl exec -it on a terminal of the test's own: the
// command sees a terminal, and what is typed reaches it.
func kubectlTTY(t *testing.T, k *cgEngine, home string, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := kubectlCmd(ctx, k, home, env, "exec", "-it", "web", "--", "sh", "-c", "tty; read line; echo got:$line")
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&out, term) // ends with EIO when kubectl exits
		close(copied)
	}()
	time.Sleep(500 * time.Millisecond) // let the remote shell start reading
	io.WriteString(term, "typed\r")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("kubectl exec -it: %v; output %q", err, out.String())
		}
	case <-ctx.Done():
		t.Fatalf("kubectl exec -it did not end; output so far %q", out.String())
	}
	<-copied
	text := strings.ReplaceAll(out.String(), "\r", "")
	if !regexp.MustCompile(`/dev/pts/\d+\n`).MatchString(text) || !strings.Contains(text, "got:typed\n") {
		t.Fatalf("output %q", out.String())
	}
}

// kubectlPortForward runs kubectl port-forward on a free local port and
// fetches the pod's page through it.
func kubectlPortForward(t *testing.T, k *cgEngine, home string, env []string) {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := kubectlCmd(ctx, k, home, env, "port-forward", "--address", "127.0.0.1", "web", fmt.Sprintf("%d:8080", port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if want := fmt.Sprintf("Forwarding from 127.0.0.1:%d -> 8080\n", port); line != want {
		t.Fatalf("kubectl said %q (%v), stderr %q; want %q", line, err, stderr.String(), want)
	}
	for i := 0; i < 2; i++ {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "page\n" {
			t.Fatalf("GET through kubectl port-forward: %d %q", resp.StatusCode, b)
		}
		if line, _ := r.ReadString('\n'); line != fmt.Sprintf("Handling connection for %d\n", port) {
			t.Fatalf("kubectl said %q", line)
		}
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
