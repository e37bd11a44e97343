package shell

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/printers"
)

// quickGet answers the commonest command, `minish get TYPE` printed as a
// table (with -n, -A, -l, --field-selector, -L, --show-labels,
// --no-headers or -o wide), without a Lua state.
//
// Why: in a cold process, building the Lua state and loading min.kubectl
// take about 6 ms, a fifth of such a get (32.6 against 26.7 ms for 100
// pods, measured side by side on this 2-core VM, where every fresh page
// of memory costs about 17 µs), and it skips the round trip that only
// checks that an engine answers (2 ms more). The table is printed by
// bindings.GetTable, the function min.kubectl's get prints with, so the
// two cannot differ; TestQuickGetMatchesKubectl checks that they do not.
//
// Anything else (other flags, names, several types, a failure whose
// text min.kubectl words) is left to min.kubectl: ok is false and
// nothing has been printed.
func quickGet(ctx context.Context, args []string, conn *lazyEngine, stdout, stderr io.Writer) (code int, ok bool) {
	g, ok := parseQuickGet(args)
	if !ok {
		return 0, false
	}
	kind, ok := bindings.ResourceKind(g.resource)
	if !ok {
		return 0, false
	}
	ns := g.namespaceIn(conn.home)
	lo := cluster.ListOptions{LabelSelector: g.selector, FieldSelector: g.fieldSelector}
	if kind.Namespaced && !g.allNamespaces {
		lo.Namespace = ns
	}
	po := printers.Options{Wide: g.wide, ShowLabels: g.showLabels, LabelColumns: g.labelColumns,
		WithNamespace: g.allNamespaces && kind.Namespaced, NoHeaders: g.noHeaders}
	eng, err := conn.unchecked(ctx) // no engine answering: min.kubectl starts one
	if err != nil {
		return 0, false
	}
	text, rows, err := bindings.GetTable(ctx, eng, kind.Resource, lo, po)
	if err != nil {
		return 0, false
	}
	if rows == 0 {
		fmt.Fprintln(stderr, printers.NoResources(ns, g.allNamespaces || !kind.Namespaced))
		return 0, true
	}
	io.WriteString(stdout, text)
	return 0, true
}

// quickGetLine is a command line quickGet answers.
type quickGetLine struct {
	resource, namespace, selector, fieldSelector string
	labelColumns                                 []string
	allNamespaces, showLabels, noHeaders, wide   bool
}

// namespaceIn is the namespace min.kubectl's get would use: -n, else the
// context's of the state directory home, else "default".
func (g quickGetLine) namespaceIn(home string) string {
	if g.namespace != "" {
		return g.namespace
	}
	return currentNamespace(home)
}

// parseQuickGet reads `get TYPE [flags]` as min.kubectl's parser would,
// for the flags quickGet knows; ok is false for any other command line.
// A string flag given twice keeps its last value and -L adds up, as
// there.
func parseQuickGet(args []string) (g quickGetLine, ok bool) {
	if len(args) < 2 || args[0] != "get" {
		return g, false
	}
	var words []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			words = append(words, a)
			continue
		}
		name, value, hasValue := flagOf(a)
		if name == "" {
			return g, false
		}
		if name == "all-namespaces" || name == "show-labels" || name == "no-headers" {
			if hasValue {
				return g, false
			}
		} else if !hasValue {
			if i+1 == len(args) {
				return g, false
			}
			i++
			value = args[i]
		}
		if !g.set(name, value) {
			return g, false
		}
	}
	if len(words) != 1 || words[0] == "all" || strings.ContainsAny(words[0], ",/") {
		return g, false
	}
	g.resource = words[0]
	return g, true
}

// quickShort are the one-letter flags quickGet knows.
var quickShort = map[byte]string{'n': "namespace", 'l': "selector", 'L': "label-columns", 'o': "output", 'A': "all-namespaces"}

// flagOf splits "--name=value", "--name", "-Xvalue", "-X=value" and "-X"
// into the long name and the value written with it; name is "" for a
// flag quickGet does not know (or "--").
func flagOf(a string) (name, value string, hasValue bool) {
	if long, ok := strings.CutPrefix(a, "--"); ok {
		name, value, hasValue = strings.Cut(long, "=")
		switch name {
		case "namespace", "selector", "field-selector", "label-columns", "output",
			"all-namespaces", "show-labels", "no-headers":
			return name, value, hasValue
		}
		return "", "", false
	}
	name = quickShort[a[1]]
	if name == "all-namespaces" && len(a) > 2 { // -A followed by more letters
		return "", "", false
	}
	// "-l=" and "-l" both take the next argument, as min.kubectl reads them.
	value = strings.TrimPrefix(a[2:], "=")
	return name, value, value != ""
}

// set records one flag; false for a value quickGet leaves to min.kubectl.
func (g *quickGetLine) set(name, value string) bool {
	switch name {
	case "namespace":
		g.namespace = value
		return value != ""
	case "selector":
		g.selector = value
	case "field-selector":
		g.fieldSelector = value
	case "label-columns":
		for _, c := range strings.Split(value, ",") {
			if c != "" {
				g.labelColumns = append(g.labelColumns, c)
			}
		}
	case "output":
		g.wide = value == "wide"
		return g.wide
	case "all-namespaces":
		g.allNamespaces = true
	case "show-labels":
		g.showLabels = true
	case "no-headers":
		g.noHeaders = true
	}
	return true
}
