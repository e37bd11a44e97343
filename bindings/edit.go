package bindings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/manifest"
	"github.com/minspace/min/engine/printers"
)

// editHeader starts every file kubectl edit opens.
const editHeader = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`

// editReason is one failure written at the top of a reopened file.
type editReason struct {
	head  string
	other []string
}

// editSession is one `kubectl edit` of one object: the loop that opens
// the editor until the update succeeds, is cancelled, or fails for good.
type editSession struct {
	eng      cluster.Interface
	kind     api.Kind
	ns, name string
	editor   []string // argv; the file's path is appended (or quoted into a shell line)
	shell    bool
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	prefix   string // temp file name prefix: "<program>-edit-"
}

// editorCommand is kubectl's choice of editor: $KUBE_EDITOR, then
// $EDITOR, then vi; a command with spaces is split on them, one with
// quotes or backslashes runs through $SHELL -c.
func editorCommand(getenv func(string) string) (argv []string, shell bool) {
	editor := ""
	for _, env := range []string{"KUBE_EDITOR", "EDITOR"} {
		if editor = getenv(env); editor != "" {
			break
		}
	}
	if editor == "" {
		editor = "vi"
	}
	if !strings.Contains(editor, " ") {
		return []string{editor}, false
	}
	if !strings.ContainsAny(editor, "\"'\\") {
		return strings.Fields(editor), false
	}
	sh := getenv("SHELL")
	if sh == "" {
		sh = "/bin/bash"
	}
	return []string{sh, "-c", editor}, true
}

// errEditFailed ends an edit whose texts are already printed (exit 1).
var errEditFailed = errors.New("edit failed")

// run edits the object; errors it returns are the API's (the verb prints
// them) or errEditFailed after its own texts.
func (e *editSession) run(ctx context.Context) error {
	cur, err := e.eng.Get(ctx, e.kind.Resource, e.ns, e.name)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := printers.PrintObjects(&body, e.kind.Resource, []api.Object{cur}, "yaml",
		printers.Options{Single: true}, printers.Now()); err != nil {
		return err
	}
	original := append([]byte(editHeader), body.Bytes()...)
	var reasons []editReason
	var edited []byte
	prevFile := ""
	for {
		buf := []byte(editHeader)
		if reasons == nil {
			buf = original
		} else {
			buf = append(buf, reasonsText(reasons)...)
			buf = append(buf, manualStrip(edited)...)
		}
		before := edited
		file, out, err := e.launch(buf)
		if err != nil {
			if file == "" {
				file = prevFile
			} else if prevFile != "" {
				os.Remove(prevFile)
			}
			return e.preserved(err, file)
		}
		edited = out
		if prevFile != "" {
			os.Remove(prevFile) // the new file holds what it held
		}
		prevFile = file
		if reasons != nil && bytes.Equal(stripComments(before), stripComments(edited)) {
			return e.preserved(errors.New("Edit cancelled, no valid changes were saved."), file)
		}
		if bytes.Equal(stripComments(original), stripComments(edited)) {
			os.Remove(file)
			fmt.Fprintln(e.stderr, "Edit cancelled, no changes made.")
			return nil
		}
		if !hasLines(edited) {
			os.Remove(file)
			fmt.Fprintln(e.stderr, "Edit cancelled, saved file was empty.")
			return nil
		}
		reason, err := e.apply(ctx, body.Bytes(), edited, file)
		if err != nil || reason == nil {
			return err
		}
		reasons = []editReason{*reason}
	}
}

// apply decodes the edited text and updates the object. A reason means
// the file reopens with it; err ends the edit.
func (e *editSession) apply(ctx context.Context, orig, edited []byte, file string) (*editReason, error) {
	objs, err := manifest.Decode(manualStrip(edited))
	if err == nil && len(objs) != 1 {
		err = fmt.Errorf("expected one object, found %d", len(objs))
	}
	if err != nil {
		return &editReason{head: "The edited file had a syntax error: " + err.Error()}, nil
	}
	obj := objs[0]
	m := obj.GetObjectMeta()
	if k, _ := api.KindOf(obj); k.Kind != e.kind.Kind || m.Name != e.name {
		return nil, e.preserved(errors.New("At least one of apiVersion, kind and name was changed"), file)
	}
	if e.kind.Namespaced && m.Namespace != e.ns {
		return nil, e.preserved(fmt.Errorf("the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation.", m.Namespace, e.ns, m.Namespace), file)
	}
	what := e.kind.Resource + " " + fmt.Sprintf("%q", e.name)
	if same, err := sameObject(orig, obj); err == nil && same {
		os.Remove(file)
		fmt.Fprintf(e.stdout, "%s/%s skipped\n", strings.ToLower(e.kind.Kind), e.name)
		return nil, nil
	}
	_, err = e.eng.Update(ctx, obj, cluster.UpdateOptions{})
	switch {
	case err == nil:
		os.Remove(file)
		fmt.Fprintf(e.stdout, "%s/%s edited\n", strings.ToLower(e.kind.Kind), e.name)
		return nil, nil
	case errors.Is(err, api.ErrInvalid):
		fmt.Fprintf(e.stderr, "error: %s is invalid\n", what)
		r := editReason{head: what + " was not valid"}
		var se *api.StatusError
		if errors.As(err, &se) && se.Details != nil {
			for _, c := range se.Details.Causes {
				r.other = append(r.other, c.Field+": "+c.Message)
			}
		}
		return &r, nil
	case errors.Is(err, api.ErrNotFound):
		fmt.Fprintf(e.stderr, "error: %s could not be found on the server\n", what)
		fmt.Fprintf(e.stderr, "The edits you made on deleted resources have been saved to %q\n", file)
		return nil, errEditFailed
	default:
		// A conflict (the object changed meanwhile) and everything else:
		// the file stays for a retry. kubectl proposes `kubectl replace
		// -f`; minish's apply -f updates onto the latest version.
		fmt.Fprintf(e.stderr, "error: %s could not be patched: %v\n", what, err)
		fmt.Fprintf(e.stderr, "You can run `%s apply -f %s` to try this update again.\n", programName(), file)
		return nil, errEditFailed
	}
}

// sameObject reports whether obj says what the original YAML said.
func sameObject(orig []byte, obj api.Object) (bool, error) {
	objs, err := manifest.Decode(orig)
	if err != nil || len(objs) != 1 {
		return false, err
	}
	a, err := manifest.Encode(objs[0], "json")
	if err != nil {
		return false, err
	}
	b, err := manifest.Encode(obj, "json")
	return bytes.Equal(a, b), err
}

// launch writes buf to a new temp file, runs the editor on it and returns
// the file and what it holds afterwards.
func (e *editSession) launch(buf []byte) (string, []byte, error) {
	f, err := os.CreateTemp("", e.prefix+"*.yaml")
	if err != nil {
		return "", nil, err
	}
	path := f.Name()
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return path, nil, err
	}
	argv := append([]string(nil), e.editor...)
	if e.shell {
		argv[len(argv)-1] = fmt.Sprintf("%s %q", argv[len(argv)-1], path)
	} else {
		argv = append(argv, path)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	if err := cmd.Run(); err != nil {
		return path, nil, fmt.Errorf("there was a problem with the editor %q", strings.Join(e.editor, " "))
	}
	out, err := os.ReadFile(path)
	return path, out, err
}

// preserved says where the user's changes are, as kubectl does, and
// returns err for the verb to print.
func (e *editSession) preserved(err error, path string) error {
	if path != "" {
		if _, serr := os.Stat(path); serr == nil {
			fmt.Fprintf(e.stderr, "A copy of your changes has been stored to %q\n", path)
		}
	}
	return err
}

func reasonsText(reasons []editReason) []byte {
	var b bytes.Buffer
	for _, r := range reasons {
		if len(r.other) > 0 {
			fmt.Fprintf(&b, "# %s:\n", hashLines(r.head))
		} else {
			fmt.Fprintf(&b, "# %s\n", hashLines(r.head))
		}
		for _, o := range r.other {
			fmt.Fprintf(&b, "# * %s\n", hashLines(o))
		}
		b.WriteString("#\n")
	}
	return b.Bytes()
}

// hashLines keeps a multi-line message inside the comment.
func hashLines(s string) string { return strings.ReplaceAll(s, "\n", "\n# ") }

// manualStrip drops comment lines (not #! ones).
func manualStrip(file []byte) []byte {
	var out []byte
	lines := bytes.Split(file, []byte("\n"))
	for i, line := range lines {
		t := bytes.TrimSpace(line)
		if bytes.HasPrefix(t, []byte("#")) && !bytes.HasPrefix(t, []byte("#!")) {
			continue
		}
		out = append(out, line...)
		if i < len(lines)-1 {
			out = append(out, '\n')
		}
	}
	return out
}

// stripComments is the edited text without comments, as JSON when it
// parses, so that changes of layout alone are no changes.
func stripComments(file []byte) []byte {
	if j, err := yaml.YAMLToJSON(file); err == nil {
		return j
	}
	return manualStrip(file)
}

// hasLines reports whether the file has a line that is neither blank nor
// a comment.
func hasLines(file []byte) bool {
	for _, line := range bytes.Split(file, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return true
		}
	}
	return false
}

// programName is how the user called this program (temp files and hints
// carry it, as kubectl's do).
func programName() string { return filepath.Base(os.Args[0]) }

// vioEdit is verbio.edit(resource, namespace, name): `kubectl edit` of
// one object with $KUBE_EDITOR or $EDITOR. It returns true, or nil and an
// error table (printed by the verb); nil and false after errors it
// printed itself.
func (s *State) vioEdit(L *lua.LState) int {
	k, ok := api.KindFor(L.CheckString(1))
	if !ok {
		s.raise(L, reasonBadRequest, "verbio.edit: the server doesn't have a resource type %q", L.CheckString(1))
	}
	argv, shell := editorCommand(os.Getenv)
	e := &editSession{eng: s.api(L), kind: k, ns: L.CheckString(2), name: L.CheckString(3),
		editor: argv, shell: shell, stdin: os.Stdin, stdout: s.opts.Stdout, stderr: s.opts.Stderr,
		prefix: programName() + "-edit-"}
	if !k.Namespaced {
		e.ns = ""
	}
	err := e.run(ctxOf(L))
	switch {
	case err == nil:
		L.Push(lua.LTrue)
		return 1
	case errors.Is(err, errEditFailed):
		L.Push(lua.LNil)
		L.Push(lua.LFalse)
		return 2
	}
	return s.fail(L, err)
}
