package bindings

import (
	"fmt"
	"io"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func (s *State) globalsModule() module {
	return module{name: "", doc: "Global functions.", funcs: []function{
		{"help", "([module | function])", "Prints the modules, a module's functions, or a function's documentation.", s.help},
		{"explain", "(\"pod.spec.containers\")", "Prints the fields of a kind or of a field path, their types and one line each, like kubectl explain.", s.explain},
		{"sleep", "(seconds)", "Blocks for the given seconds (fractions allowed); Ctrl-C and the run's timeout end it early with an error.", s.sleep},
	}}
}

// sleep blocks in Go, honouring the run's context.
func (s *State) sleep(L *lua.LState) int {
	d := time.Duration(float64(L.CheckNumber(1)) * float64(time.Second))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctxOf(L).Done():
		s.raise(L, "Cancelled", "interrupted")
	}
	return 0
}

// help prints from the registry: help(), help(pod), help(pod.create),
// help("pod.create").
func (s *State) help(L *lua.LState) int {
	w := s.opts.Stdout
	arg := L.Get(1)
	key, known := s.docs[arg]
	if str, ok := arg.(lua.LString); ok {
		key, known = string(str), true
	}
	switch {
	case arg == lua.LNil:
		writeOverview(w, s.modules())
	case known && s.writeDoc(w, key):
	default:
		s.raise(L, reasonBadRequest, "help: no documentation for %s", s.tostring(L, arg))
	}
	return 0
}

func writeOverview(w io.Writer, mods []module) {
	fmt.Fprintln(w, "Min's Lua modules (help(pod), help(pod.create) for more):")
	for _, m := range mods {
		if m.name == "" {
			for _, f := range m.funcs {
				fmt.Fprintf(w, "  %-11s %s\n", f.name+"()", firstLine(f.doc))
			}
			continue
		}
		fmt.Fprintf(w, "  %-11s %s\n", m.name, m.doc)
	}
	fmt.Fprintln(w, "Objects are tables in Kubernetes shape (p.metadata.labels.app) with methods (p:delete()).")
}

// writeDoc prints a module ("pod"), a function ("pod.create", "help") or a
// method ("pod:delete"); false when key names none.
func (s *State) writeDoc(w io.Writer, key string) bool {
	for _, m := range s.modules() {
		if m.name != "" && m.name == key {
			fmt.Fprintf(w, "%s: %s\n", m.name, m.doc)
			for _, f := range m.funcs {
				fmt.Fprintf(w, "  %s.%s%s\n      %s\n", m.name, f.name, f.args, firstLine(f.doc))
			}
			s.writeMethods(w, m.name)
			return true
		}
		for _, f := range m.funcs {
			if qualified(m.name, ".", f.name) == key {
				fmt.Fprintf(w, "%s%s\n%s\n", qualified(m.name, ".", f.name), f.args, indent(f.doc))
				return true
			}
		}
	}
	for _, ms := range s.objectMethods() {
		for _, f := range ms.funcs {
			if methodKey(ms.kind, f.name) == key {
				fmt.Fprintf(w, "%s%s\n%s\n", key, f.args, indent(f.doc))
				return true
			}
		}
	}
	return false
}

func (s *State) writeMethods(w io.Writer, module string) {
	for _, ms := range s.objectMethods() {
		if singular(ms.kind) != module && !(module == "rc" && ms.kind == "ReplicationController") {
			continue
		}
		fmt.Fprintf(w, "  methods of %s objects:\n", module)
		for _, f := range ms.funcs {
			fmt.Fprintf(w, "    :%s%s  %s\n", f.name, f.args, firstLine(f.doc))
		}
	}
}

func singular(kind string) string { return kindNamed(kind).Singular }

func methodKey(kind, name string) string { return singular(kind) + ":" + name }

func qualified(mod, sep, name string) string {
	if mod == "" {
		return name
	}
	return mod + sep + name
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// Markdown renders the documentation registry as docs/lua.md.
func Markdown() string {
	s := &State{}
	var b strings.Builder
	b.WriteString("# Min's Lua API\n\n")
	b.WriteString("<!-- Generated from the documentation registry in bindings/ (help() prints the same text).\n")
	b.WriteString("     Regenerate with: MIN_UPDATE_DOCS=1 go test ./bindings -run TestDocsUpToDate -->\n\n")
	b.WriteString("Every module is a global and also `require(\"min.<name>\")`. Objects are plain Lua tables in\n")
	b.WriteString("Kubernetes shape (`p.metadata.labels.app`, `p.spec.containers[1].image`) with methods\n")
	b.WriteString("(`p:delete()`), `tostring(p)` = `pod/default/web (Running)` and `==` comparing identity.\n")
	b.WriteString("Functions taking a target accept an object, a name or \"kind/name\". Lookups return `nil, message`\n")
	b.WriteString("when the object does not exist; misuse and failed mutations raise an error whose `tostring` starts\n")
	b.WriteString("with your `file:line:` and that carries `reason` (NotFound, AlreadyExists, Invalid, Conflict,\n")
	b.WriteString("Forbidden, BadRequest, Timeout) and `message`.\n\n")
	for _, m := range s.modules() {
		title := "Globals"
		if m.name != "" {
			title = "`" + m.name + "`"
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", title, m.doc)
		for _, f := range m.funcs {
			fmt.Fprintf(&b, "### `%s%s`\n\n%s\n\n", qualified(m.name, ".", f.name), f.args, strings.TrimSpace(f.doc))
		}
		for _, ms := range s.objectMethods() {
			if m.name != "" && (singular(ms.kind) == m.name || (m.name == "rc" && ms.kind == "ReplicationController")) {
				fmt.Fprintf(&b, "Methods of %s objects:\n\n", m.name)
				for _, f := range ms.funcs {
					fmt.Fprintf(&b, "- `:%s%s`: %s\n", f.name, f.args, firstLine(f.doc))
				}
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
