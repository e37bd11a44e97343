package bindings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsUpToDate fails when docs/lua.md differs from what the
// documentation registry generates. MIN_UPDATE_DOCS=1 rewrites it.
func TestDocsUpToDate(t *testing.T) {
	path := filepath.Join("..", "docs", "lua.md")
	want := Markdown()
	if os.Getenv("MIN_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it: MIN_UPDATE_DOCS=1 go test ./bindings -run TestDocsUpToDate)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/lua.md is stale: regenerate it with MIN_UPDATE_DOCS=1 go test ./bindings -run TestDocsUpToDate")
	}
}

func TestHelp(t *testing.T) {
	s, out := newTestState(t, Options{})
	cases := []struct {
		name, chunk string
		want        []string
	}{
		{"overview", "help()", []string{"pod ", "namespace", "explain()"}},
		{"module", "help(pod)", []string{"pod.create(", "pod.wait(", "methods of pod objects", ":logs"}},
		{"function", "help(pod.create)", []string{"pod.create(manifest", "did-you-mean"}},
		{"by name", `help("label.set")`, []string{"--overwrite"}},
		{"method", "help(pod.get)", []string{"nil and a message"}},
		{"explain", `explain("pod.spec.containers")`, []string{"KIND:       Pod", "FIELD: containers <[]Container>", "image\t<string>", "Container image name"}},
		{"explain kind", `explain("rc")`, []string{"KIND:       ReplicationController", "spec\t<ReplicationControllerSpec>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out.Reset()
			if err := run(t, s, c.chunk); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("%s: output lacks %q:\n%s", c.chunk, w, out.String())
				}
			}
		})
	}
	if err := run(t, s, `help(42)`); err == nil || !strings.Contains(err.Error(), "test.lua:1: help: no documentation") {
		t.Errorf("help(42): %v", err)
	}
	if err := run(t, s, `explain("pod.spec.nope")`); err == nil || !strings.Contains(err.Error(), `field "nope" does not exist in PodSpec`) {
		t.Errorf("explain: %v", err)
	}
}

// TestEveryFunctionDocumented checks the registry: every function has a
// signature and a one-line summary ending with a period.
func TestEveryFunctionDocumented(t *testing.T) {
	s := &State{}
	for _, m := range s.modules() {
		for _, f := range m.funcs {
			if f.args == "" || !strings.HasSuffix(firstLine(f.doc), ".") {
				t.Errorf("%s.%s: signature %q, summary %q", m.name, f.name, f.args, firstLine(f.doc))
			}
		}
	}
}
