package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

func execURL(env *streamEnv, pod string, q url.Values) *url.URL {
	u, _ := url.Parse(env.url + "/api/v1/namespaces/default/pods/" + pod + "/exec?" + q.Encode())
	return u
}

// executors are client-go's three ways to exec, as kubectl picks them.
func executors(t testing.TB, env *streamEnv, u *url.URL) map[string]remotecommand.Executor {
	t.Helper()
	spdy, err := remotecommand.NewSPDYExecutor(env.cfg, "POST", u)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := remotecommand.NewWebSocketExecutor(env.cfg, "GET", u.String())
	if err != nil {
		t.Fatal(err)
	}
	fb, err := remotecommand.NewFallbackExecutor(ws, spdy, httpstream.IsUpgradeFailure)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]remotecommand.Executor{"spdy": spdy, "websocket": ws, "fallback": fb}
}

// sizes is a TerminalSizeQueue sending a few sizes, then none.
type sizes struct{ left []remotecommand.TerminalSize }

func (s *sizes) Next() *remotecommand.TerminalSize {
	if len(s.left) == 0 {
		return nil
	}
	n := s.left[0]
	s.left = s.left[1:]
	return &n
}

func TestExecThroughClientGo(t *testing.T) {
	env := newStreamEnv(t)
	cases := []struct {
		name           string
		command        []string
		stdin          string
		useStdin, tty  bool
		stdout, stderr string
		code           int // -1: no exit code, errText instead
		errText        string
	}{
		{name: "stdout", command: []string{"echo", "hi", "there"}, stdout: "hi there\n"},
		{name: "stderr apart", command: []string{"warn", "careful"}, stderr: "careful\n"},
		{name: "stdin to its end", command: []string{"cat"}, useStdin: true, stdin: "line one\nline two\n", stdout: "line one\nline two\n"},
		{name: "empty stdin", command: []string{"cat"}, useStdin: true, stdout: ""},
		{name: "exit code", command: []string{"exit", "3"}, code: 3},
		{name: "exit code 255", command: []string{"exit", "255"}, code: 255},
		{name: "terminal", command: []string{"tty"}, tty: true, useStdin: true, stdout: "tty\n"},
		{name: "terminal sizes", command: []string{"size", "80x24"}, tty: true, useStdin: true, stdout: "80x24\n"},
		{name: "engine error", command: []string{"fail"}, code: -1, errText: "the runtime said no"},
	}
	for _, tc := range cases {
		q := url.Values{"command": tc.command, "container": {"c"}, "stdout": {"true"}}
		if !tc.tty {
			q.Set("stderr", "true")
		}
		if tc.useStdin {
			q.Set("stdin", "true")
		}
		if tc.tty {
			q.Set("tty", "true")
		}
		for name, ex := range executors(t, env, execURL(env, "web", q)) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				opts := remotecommand.StreamOptions{Stdout: &stdout, Tty: tc.tty}
				if !tc.tty {
					opts.Stderr = &stderr
				}
				if tc.useStdin {
					opts.Stdin = strings.NewReader(tc.stdin)
				}
				if tc.tty {
					opts.TerminalSizeQueue = &sizes{left: []remotecommand.TerminalSize{{Width: 100, Height: 30}, {Width: 80, Height: 24}}}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				err := ex.StreamWithContext(ctx, opts)
				var exit exec.CodeExitError
				switch {
				case tc.code > 0:
					if !errors.As(err, &exit) || exit.Code != tc.code || err.Error() != "command terminated with exit code "+strconv.Itoa(tc.code) {
						t.Fatalf("err %v (%T), want exit code %d", err, err, tc.code)
					}
				case tc.code < 0:
					if err == nil || !strings.Contains(err.Error(), tc.errText) {
						t.Fatalf("err %v, want %q", err, tc.errText)
					}
				case err != nil:
					t.Fatal(err)
				}
				if stdout.String() != tc.stdout || stderr.String() != tc.stderr {
					t.Fatalf("stdout %q stderr %q, want %q %q", stdout.String(), stderr.String(), tc.stdout, tc.stderr)
				}
			})
		}
	}
	env.waitIdle(t)
}

// dialExec opens an exec WebSocket by hand with the given subprotocols.
func dialExec(t *testing.T, env *streamEnv, pod string, q url.Values, protos ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u := strings.Replace(execURL(env, pod, q).String(), "http://", "ws://", 1)
	d := websocket.Dialer{Subprotocols: protos, HandshakeTimeout: 5 * time.Second}
	return d.Dial(u, nil)
}

// readAll reads messages until the server closes, returning what each
// channel carried and the first message.
func readChannels(t *testing.T, ws *websocket.Conn, base64Codec bool) (map[byte]string, []byte) {
	t.Helper()
	got := map[byte]string{}
	var first []byte
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for n := 0; ; n++ {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Fatalf("read: %v", err)
			}
			return got, first
		}
		if base64Codec {
			b, err := base64.StdEncoding.DecodeString(string(msg[1:]))
			if err != nil {
				t.Fatalf("base64 message %q: %v", msg, err)
			}
			msg = append([]byte{msg[0] - '0'}, b...)
		}
		if n == 0 {
			first = msg
		}
		got[msg[0]] += string(msg[1:])
	}
}

func TestExecWebSocketProtocols(t *testing.T) {
	env := newStreamEnv(t)
	exit3 := `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`
	cases := []struct {
		name, proto string
		base64      bool
		command     []string
		errChan     string
	}{
		{name: "v5 exit code", proto: "v5.channel.k8s.io", command: []string{"exit", "3"}, errChan: exit3},
		{name: "v5 success", proto: "v5.channel.k8s.io", command: []string{"echo", "x"}, errChan: `{"metadata":{},"status":"Success"}`},
		{name: "v4 exit code", proto: "v4.channel.k8s.io", command: []string{"exit", "3"}, errChan: exit3},
		{name: "v4 base64", proto: "v4.base64.channel.k8s.io", base64: true, command: []string{"exit", "3"}, errChan: exit3},
		{name: "v1 text error", proto: "channel.k8s.io", command: []string{"exit", "3"},
			errChan: "command terminated with non-zero exit code: error executing command [exit 3], exit code 3"},
		{name: "v1 success says nothing", proto: "channel.k8s.io", command: []string{"echo", "x"}, errChan: ""},
		{name: "base64 v1", proto: "base64.channel.k8s.io", base64: true, command: []string{"echo", "x"}, errChan: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"command": tc.command, "stdout": {"true"}, "stderr": {"true"}}
			ws, resp, err := dialExec(t, env, "web", q, tc.proto)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != tc.proto {
				t.Fatalf("negotiated %q", got)
			}
			got, first := readChannels(t, ws, tc.base64)
			if len(first) != 1 || first[0] != 1 {
				t.Errorf("first message %q, want an empty one on stdout", first)
			}
			if got[3] != tc.errChan {
				t.Errorf("error channel %q\nwant %q", got[3], tc.errChan)
			}
		})
	}
}

func TestExecWebSocketV5CloseEndsStdin(t *testing.T) {
	env := newStreamEnv(t)
	q := url.Values{"command": {"cat"}, "stdin": {"true"}, "stdout": {"true"}}
	ws, _, err := dialExec(t, env, "web", q, "v5.channel.k8s.io")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.BinaryMessage, append([]byte{0}, "abc"...))
	ws.WriteMessage(websocket.BinaryMessage, []byte{4, '{', '}'}) // a resize without a terminal is ignored
	ws.WriteMessage(websocket.BinaryMessage, []byte{255, 0})
	got, _ := readChannels(t, ws, false)
	if got[1] != "abc" || got[3] != `{"metadata":{},"status":"Success"}` {
		t.Fatalf("channels %q", got)
	}
}

func TestExecRefusedBeforeUpgrade(t *testing.T) {
	env := newStreamEnv(t)
	cases := []struct {
		name, pod string
		q         url.Values
		protos    []string
		code      int
		msg       string
	}{
		{"no such pod", "nope", url.Values{"command": {"ls"}, "stdout": {"true"}}, []string{"v5.channel.k8s.io"}, 404, `pods "nope" not found`},
		{"container not in pod", "web", url.Values{"command": {"ls"}, "stdout": {"true"}, "container": {"x"}}, []string{"v5.channel.k8s.io"}, 400,
			"container x is not valid for pod web"},
		{"several containers, none named", "two", url.Values{"command": {"ls"}, "stdout": {"true"}}, []string{"v5.channel.k8s.io"}, 400,
			"a container name must be specified for pod two, choose one of: [a b]"},
		{"pod without a node", "pending", url.Values{"command": {"ls"}, "stdout": {"true"}}, []string{"v5.channel.k8s.io"}, 400,
			"pod pending does not have a host assigned"},
		{"no command", "web", url.Values{"stdout": {"true"}}, []string{"v5.channel.k8s.io"}, 400, "you must specify at least 1 command"},
		{"no stream", "web", url.Values{"command": {"ls"}}, []string{"v5.channel.k8s.io"}, 400, "you must specify at least 1 of stdin, stdout, stderr"},
		{"unknown subprotocol", "web", url.Values{"command": {"ls"}, "stdout": {"true"}}, []string{"v9.channel.k8s.io"}, 400, "are not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := dialExec(t, env, tc.pod, tc.q, tc.protos...)
			if err == nil || resp == nil {
				t.Fatalf("upgraded: %v", err)
			}
			defer resp.Body.Close()
			var st struct{ Kind, Message string }
			json.NewDecoder(resp.Body).Decode(&st)
			if resp.StatusCode != tc.code || st.Kind != "Status" || !strings.Contains(st.Message, tc.msg) {
				t.Fatalf("%d %+v, want %d %q", resp.StatusCode, st, tc.code, tc.msg)
			}
		})
	}
	// The same refusal reaches client-go's executors as an error.
	u := execURL(env, "web", url.Values{"command": {"ls"}, "stdout": {"true"}, "container": {"x"}})
	for name, ex := range executors(t, env, u) {
		err := ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: &bytes.Buffer{}})
		if err == nil || !strings.Contains(err.Error(), "container x is not valid for pod web") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestExecEndsWithItsClientAndWithTheServer(t *testing.T) {
	env := newStreamEnv(t)
	q := url.Values{"command": {"block"}, "stdout": {"true"}}
	ws, _, err := dialExec(t, env, "web", q, "v5.channel.k8s.io")
	if err != nil {
		t.Fatal(err)
	}
	waitRunning(t, env, 1)
	ws.Close() // the client vanishes: the command is stopped
	env.waitIdle(t)

	ex := executors(t, env, execURL(env, "web", q))["spdy"]
	done := make(chan error, 1)
	go func() {
		done <- ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: &bytes.Buffer{}})
	}()
	waitRunning(t, env, 1)
	env.srv.CloseStreams() // a server shutting down ends the session
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the exec outlived CloseStreams")
	}
	env.waitIdle(t)
}

func waitRunning(t *testing.T, env *streamEnv, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for env.eng.running() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d commands running, want %d", env.eng.running(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
