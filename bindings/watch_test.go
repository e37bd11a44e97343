package bindings

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine/cluster"
)

// syncBuffer is a bytes.Buffer that a test may read while a call writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the test's patience ends.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

const watchPods = `
node.create{name = "n1", simulated = true}
pod.create{name = "a", image = "busybox", labels = {app = "x"}}
pod.create{name = "b", image = "busybox"}
pod.wait("a", {phase = "Running"}); pod.wait("b", {phase = "Running"})
`

func TestWatchModule(t *testing.T) {
	s, out := newTestState(t, Options{})
	t.Setenv("MIN_NOW", "2030-01-01T00:00:00Z")
	ctx := context.Background()
	if err := s.DoString(ctx, watchPods, "setup"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, chunk, want string
	}{
		{"start lists then sees changes", `
			local w = watch.start("po", {selector = "app=x"})
			print(#w.items, w.items[1].metadata.name)
			label.set("pod/a", {env = "prod"})
			label.set("pod/b", {env = "prod"}) -- not selected
			local t, o = w:next()
			print(t, o.metadata.name, o.metadata.labels.env)
			w:close()
			print(w:next())`,
			"1\ta\nMODIFIED\ta\tprod\nnil\n"},
		{"events from now, with a timeout", `
			local n = 0
			for t, o in watch.events("pods", {timeout = 0.2}) do n = n + 1 end
			print(n)`,
			"0\n"},
		{"events with initial objects and one name", `
			for t, o in watch.events("pods", {name = "b", initial = true, timeout = 0.2}) do print(t, o.metadata.name) end`,
			"ADDED\tb\n"},
		{"unknown resource", `print(pcall(watch.start, "bogus"))`, "false\t"},
		{"bad option", `print(select(2, pcall(watch.events, "pods", {selektor = "a"})).message)`, `did you mean "selector"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			if err := s.DoString(ctx, tc.chunk, tc.name); err != nil {
				t.Fatal(err)
			}
			got := regexp.MustCompile(`(?m)   [0-9y]+d$`).ReplaceAllString(out.String(), "   -")
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestVerbioWatch prints a watch as kubectl get -w does while another
// goroutine changes the pods, then ends it as Ctrl-C would.
func TestVerbioWatch(t *testing.T) {
	tests := []struct {
		name, output, opts, want string
	}{
		{"table", "", "{}", "NAME   READY   STATUS    RESTARTS   AGE\na      1/1     Running   0          AGE\nb      1/1     Running   0          AGE\na      1/1     Running   0          AGE\n"},
		{"names", "name", "{}", "pod/a\npod/b\npod/a\n"},
		{"watch only, one name", "", "{name = 'a', watch_only = true}", "NAME   READY   STATUS    RESTARTS   AGE\na      1/1     Running   0          AGE\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			s, _ := newTestState(t, Options{Stdout: &out})
			if err := s.DoString(context.Background(), watchPods, "setup"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- s.DoString(ctx, `
					local V = require("min.verbio")
					local o = `+tc.opts+`
					o.namespace, o.detach = "default", true
					print(V.watch("pods", "`+tc.output+`", {}, o))`, tc.name)
			}()
			initial := strings.Count(tc.want, "\n") - 1
			waitFor(t, "the initial objects", func() bool { return tc.opts != "{}" || strings.Count(out.String(), "\n") >= initial })
			time.Sleep(50 * time.Millisecond) // watch_only prints nothing to wait for
			eng := s.eng
			if _, err := cluster.Label(context.Background(), eng, "pods", "default", "a", cluster.MetaChange{Set: map[string]string{"k": "v"}}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the change", func() bool { return strings.Count(out.String(), "\n") >= initial+1 })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			// Ages depend on how long the setup took: only their place is checked.
			got := regexp.MustCompile(`(?m) [0-9]+s$`).ReplaceAllString(out.String(), " AGE")
			if got != tc.want+"interrupted\n" {
				t.Errorf("got\n%s\nwant\n%sinterrupted", got, tc.want)
			}
		})
	}
}

func TestVerbioStream(t *testing.T) {
	s, out := newTestState(t, Options{})
	t.Setenv("MIN_NOW", "2030-01-01T00:00:00Z")
	if err := s.DoString(context.Background(), watchPods, "setup"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, chunk, want string
	}{
		{"header once, widths kept", `
			local p = V.stream("pods", "", {})
			p.print({pod.get("b")})
			p.print({pod.get("a")})`,
			"NAME   READY   STATUS    RESTARTS   AGE\nb      1/1     Running   0          -\na      1/1     Running   0          -\n"},
		{"yaml documents", `
			local p = V.stream("pods", "yaml", {})
			p.print({pod.get("a"), pod.get("b")})`,
			"---\napiVersion: v1\n"},
		{"bad output", `print(select(2, V.stream("pods", "bogus", {})).message)`, "unable to match a printer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			if err := s.DoString(context.Background(), `local V = require("min.verbio")`+"\n"+tc.chunk, tc.name); err != nil {
				t.Fatal(err)
			}
			got := regexp.MustCompile(`(?m)   [0-9y]+d$`).ReplaceAllString(out.String(), "   -")
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// droppingEngine closes every watch after its first event, as the engine
// does to a watcher that falls behind.
type droppingEngine struct {
	cluster.Interface
	watches int
}

func (d *droppingEngine) Watch(ctx context.Context, resource string, opts cluster.ListOptions) (<-chan cluster.Event, error) {
	d.watches++
	in, err := d.Interface.Watch(ctx, resource, opts)
	if err != nil {
		return nil, err
	}
	out := make(chan cluster.Event, 1)
	go func() {
		defer close(out)
		if ev, ok := <-in; ok {
			out <- ev
		}
	}()
	return out, nil
}

// TestWatcherResumes checks that a dropped watch resumes after the last
// revision seen: no change lost, none seen twice.
func TestWatcherResumes(t *testing.T) {
	s, _ := newTestState(t, Options{})
	ctx := context.Background()
	if err := s.DoString(ctx, `namespace.create("a")`, "setup"); err != nil {
		t.Fatal(err)
	}
	d := &droppingEngine{Interface: s.eng}
	w, items, err := startWatch(ctx, d, "namespaces", cluster.ListOptions{FieldSelector: "metadata.name=a"}, true, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if len(items) != 1 {
		t.Fatalf("listed %d namespaces, want 1", len(items))
	}
	for i, v := range []string{"1", "2", "3"} {
		if _, err := cluster.Label(ctx, s.eng, "namespaces", "", "a", cluster.MetaChange{Set: map[string]string{"n": v}, Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		ev, ok := w.next(ctx)
		if !ok {
			t.Fatalf("change %d: the watch ended", i+1)
		}
		if got := ev.Object.GetObjectMeta().Labels["n"]; got != v {
			t.Fatalf("change %d: label n=%q, want %q", i+1, got, v)
		}
	}
	if d.watches < 3 {
		t.Errorf("%d watches, want one per dropped stream", d.watches)
	}
}
