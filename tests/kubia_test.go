package tests

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/luatest"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
)

// kubiaState is a Lua state on a real engine (root) whose scripts live in
// scripts/kubia, printing into the returned buffer.
func kubiaState(t *testing.T, e *engine.Engine) (*bindings.State, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	s, err := bindings.New(bindings.Options{
		Engine:    func(context.Context) (cluster.Interface, error) { return e, nil },
		Stdout:    &out,
		Stderr:    &out,
		ScriptDir: "../scripts/kubia",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	luatest.Open(s, t)
	return s, &out
}

// TestKubiaScripts runs scripts/kubia/image.lua and run.lua on real
// containers: the image builds from busybox, the kubia-manual pod runs,
// logs that the server started, and answers with its hostname.
func TestKubiaScripts(t *testing.T) {
	e := hostEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	s, out := kubiaState(t, e)
	if err := s.DoFile(ctx, "../scripts/kubia/image.lua"); err != nil {
		t.Fatalf("image.lua: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "built image luksa/kubia:latest (") {
		t.Errorf("image.lua printed:\n%s", out)
	}

	s, out = kubiaState(t, e) // a fresh state: run.lua finds the image built
	if err := s.DoFile(ctx, "../scripts/kubia/run.lua"); err != nil {
		t.Fatalf("run.lua: %v\n%s", err, out)
	}
	for _, want := range []string{
		"pod/kubia-manual created\n",
		"pod/default/kubia-manual (Running)",
		"logs: Kubia server starting...",
		"Forwarding from 127.0.0.1:8888 -> 8080\n",
		"You've hit kubia-manual\n",
		`pod "kubia-manual" deleted`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("run.lua's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "built image") {
		t.Errorf("run.lua rebuilt an image that exists:\n%s", out)
	}
	if _, err := e.Get(ctx, "pods", "default", "kubia-manual"); err == nil {
		t.Error("run.lua left the pod behind")
	}
}

// TestKubiaAnswersEveryRequest: the luksa/kubia image, reached over a
// port-forward by a real HTTP client, answers any method and path with
// 200 and "You've hit <pod name>", one request after another.
func TestKubiaAnswersEveryRequest(t *testing.T) {
	e := hostEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, out := kubiaState(t, e)
	err := s.DoString(ctx, `
		require("image")
		manifest.create("kubia-manual-with-labels.yaml")
		local p = pod.wait("kubia-manual-v2", {phase = "Running", timeout = 60})
		for _ = 1, 100 do
			if p:logs():find("Kubia server starting...", 1, true) then break end
			sleep(0.05)
		end
		pf = pod.port_forward("kubia-manual-v2", "0:8080")
	`, "setup")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	port, err := s.Eval(ctx, "pf.local_port")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + port
	cases := []struct{ name, method, path string }{
		{"root", http.MethodGet, "/"},
		{"any path", http.MethodGet, "/some/where?x=1"},
		{"a post with a body", http.MethodPost, "/submit"},
		{"again", http.MethodGet, "/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, c.method, base+c.path, strings.NewReader("a=b"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "You've hit kubia-manual-v2\n" {
				t.Fatalf("%s %s: %s %q", c.method, c.path, resp.Status, body)
			}
		})
	}
	if _, err := s.Eval(ctx, "pf:close()"); err != nil {
		t.Fatal(err)
	}
	logs, err := s.Eval(ctx, `pod.get("kubia-manual-v2"):logs()`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(logs, "Kubia server starting...\n") || !strings.Contains(logs, "Received request for /some/where?x=1\n") {
		t.Errorf("logs:\n%s", logs)
	}
}
