package bindings

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEditorCommand(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		argv  []string
		shell bool
	}{
		{"default vi", nil, []string{"vi"}, false},
		{"EDITOR", map[string]string{"EDITOR": "nano"}, []string{"nano"}, false},
		{"KUBE_EDITOR first", map[string]string{"EDITOR": "nano", "KUBE_EDITOR": "emacs"}, []string{"emacs"}, false},
		{"split on spaces", map[string]string{"EDITOR": "code --wait"}, []string{"code", "--wait"}, false},
		{"quotes go through the shell", map[string]string{"EDITOR": `sed -i 's/a/b/'`, "SHELL": "/bin/sh"}, []string{"/bin/sh", "-c", `sed -i 's/a/b/'`}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			argv, shell := editorCommand(func(k string) string { return tc.env[k] })
			if !reflect.DeepEqual(argv, tc.argv) || shell != tc.shell {
				t.Errorf("got %q %v, want %q %v", argv, shell, tc.argv, tc.shell)
			}
		})
	}
}

func TestEditText(t *testing.T) {
	tests := []struct {
		name, in, stripped string
		lines              bool
	}{
		{"comments go", "# a\nkind: Pod\n  # b\n", "kind: Pod\n", true},
		{"shebang stays", "#!x\n# y\n", "#!x\n", false},
		{"only comments", "# a\n\n  # b\n", "\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(manualStrip([]byte(tc.in))); got != tc.stripped {
				t.Errorf("manualStrip = %q, want %q", got, tc.stripped)
			}
			if got := hasLines([]byte(tc.in)); got != tc.lines {
				t.Errorf("hasLines = %v, want %v", got, tc.lines)
			}
		})
	}
	// Layout alone is no change.
	a, b := stripComments([]byte("# x\nkind: Pod\nmetadata: {name: a}\n")), stripComments([]byte("kind:   Pod\nmetadata:\n  name: a\n"))
	if string(a) != string(b) {
		t.Errorf("stripComments differ: %s vs %s", a, b)
	}
}

// TestEdit runs verbio.edit with sed as the editor.
func TestEdit(t *testing.T) {
	s, out := newTestState(t, Options{})
	var errs strings.Builder
	s.opts.Stderr = &errs
	ctx := context.Background()
	if err := s.DoString(ctx, `
		node.create{name = "n1", simulated = true}
		pod.create{name = "web", image = "busybox", labels = {app = "web"}}
		pod.wait("web", {phase = "Running"})`, "setup"); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("SHELL", "/bin/sh")
	tests := []struct {
		name, editor  string
		want, wantErr string
		files         int // temp files left for the user
		label         string
	}{
		{"no change", "true", "true\n", "Edit cancelled, no changes made.\n", 0, "web"},
		{"label edited", "sed -i s/app:\\ web/app:\\ edited/", "pod/web edited\ntrue\n", "", 0, "edited"},
		{"layout only", `sed -i 's/^kind: Pod/kind:   Pod/'`, "true\n", "Edit cancelled, no changes made.\n", 0, "edited"},
		{"emptied", `sed -i '/^[^#]/d'`, "true\n", "Edit cancelled, saved file was empty.\n", 0, "edited"},
		{"invalid twice", `sed -i 's/image: busybox/image: ""/'`, "nil\ttable",
			"error: pods \"web\" is invalid\nA copy of your changes has been stored to \"", 1, "edited"},
		{"stale resourceVersion", `sed -i -e 's/resourceVersion: .*/resourceVersion: "1"/' -e 's/app: edited/app: late/'`, "nil\tfalse\n",
			"error: pods \"web\" could not be patched: Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again\nYou can run `", 1, "edited"},
		{"name changed", `sed -i 's/name: web$/name: other/'`, "nil\t",
			"A copy of your changes has been stored to \"", 1, "edited"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			errs.Reset()
			t.Setenv("KUBE_EDITOR", tc.editor)
			if err := s.DoString(ctx, `print(require("min.verbio").edit("pods", "default", "web"))`, tc.name); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), tc.want) {
				t.Errorf("stdout %q, want %q", out.String(), tc.want)
			}
			if !strings.HasPrefix(errs.String(), tc.wantErr) {
				t.Errorf("stderr %q, want it to start with %q", errs.String(), tc.wantErr)
			}
			files, _ := filepath.Glob(filepath.Join(tmp, "*-edit-*.yaml"))
			if len(files) != tc.files {
				t.Errorf("%d temp files left, want %d", len(files), tc.files)
			}
			for _, f := range files {
				os.Remove(f)
			}
			if err := s.DoString(ctx, `print(pod.get("web").metadata.labels.app)`, "check"); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(out.String(), tc.label+"\n") {
				t.Errorf("label app after the edit: %q, want %q", out.String(), tc.label)
			}
		})
	}
}

// TestEditReopens checks the file the editor sees after an invalid save:
// kubectl's header, then the reasons, then the user's text.
func TestEditReopens(t *testing.T) {
	s, _ := newTestState(t, Options{})
	var errs strings.Builder
	s.opts.Stderr = &errs
	ctx := context.Background()
	if err := s.DoString(ctx, `node.create{name = "n1", simulated = true}; pod.create{name = "web", image = "busybox"}; pod.wait("web", {phase = "Running"})`, "setup"); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	seen := filepath.Join(tmp, "seen")
	t.Setenv("KUBE_EDITOR", `sh -c 'cat "$0" >> `+seen+`; sed -i "s/image: busybox/image: \"\"/" "$0"'`)
	t.Setenv("SHELL", "/bin/sh")
	if err := s.DoString(ctx, `require("min.verbio").edit("pods", "default", "web")`, "edit"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(seen)
	second := string(data[strings.LastIndex(string(data), editHeader):])
	want := editHeader + "# pods \"web\" was not valid:\n# * spec.containers[0].image: Required value\n#\napiVersion: v1\nkind: Pod\n"
	if !strings.HasPrefix(second, want) {
		t.Errorf("reopened file:\n%s\nwant it to start with\n%s", second, want)
	}
	if !strings.Contains(errs.String(), "error: Edit cancelled, no valid changes were saved.") && !strings.Contains(errs.String(), "stored to") {
		t.Errorf("stderr %q", errs.String())
	}
}
