package bindings

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/bindings/luavm"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// The REPL-facing API: minish drives the REPL with these and never touches
// gopher-lua itself.

// replChunk is the chunk name of REPL input, as lua's stand-alone REPL.
const replChunk = "stdin"

// Incomplete reports whether src is an unfinished chunk (an open block,
// string or parenthesis) that the REPL should continue on the next line.
func (s *State) Incomplete(src string) bool {
	if _, err := s.L.Load(strings.NewReader("return "+src), replChunk); err == nil {
		return false
	}
	_, err := s.L.Load(strings.NewReader(src), replChunk)
	return err != nil && strings.Contains(err.Error(), "EOF")
}

// Eval runs one REPL input with Lua 5.3's behaviour: an expression is
// evaluated and its values returned formatted (objects as one-line
// summaries, tables pretty-printed); the first value becomes _.
func (s *State) Eval(ctx context.Context, src string) (string, error) {
	fn, err := luavm.Load(s.L, "return "+src, replChunk)
	if err != nil {
		if fn, err = luavm.Load(s.L, src, replChunk); err != nil {
			return "", &Error{Message: strings.TrimSpace(err.Error()), cause: err}
		}
	}
	vals, err := s.call(ctx, fn, nil, lua.MultRet)
	if err != nil {
		return "", err
	}
	if len(vals) == 0 {
		return "", nil
	}
	s.L.SetGlobal("_", vals[0])
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = s.Format(v)
	}
	return strings.Join(parts, "\t"), nil
}

// Format renders a value for the REPL.
func (s *State) Format(v lua.LValue) string {
	var b strings.Builder
	s.format(&b, v, 0, map[*lua.LTable]bool{})
	return b.String()
}

const formatDepth = 4

func (s *State) format(b *strings.Builder, v lua.LValue, depth int, seen map[*lua.LTable]bool) {
	t, ok := v.(*lua.LTable)
	if !ok || s.hasToString(v) {
		if str, isStr := v.(lua.LString); isStr && depth > 0 {
			b.WriteString(strconv.Quote(string(str)))
			return
		}
		b.WriteString(s.safeToString(v))
		return
	}
	if seen[t] || depth >= formatDepth {
		b.WriteString("{...}")
		return
	}
	seen[t] = true
	defer delete(seen, t)
	keys, n := tableKeys(t)
	if len(keys) == 0 {
		b.WriteString("{}")
		return
	}
	pad := strings.Repeat("  ", depth+1)
	b.WriteString("{\n")
	for i, k := range keys {
		b.WriteString(pad)
		if i >= n {
			b.WriteString(formatKey(k) + " = ")
		}
		s.format(b, t.RawGet(k), depth+1, seen)
		b.WriteString(",\n")
	}
	b.WriteString(strings.Repeat("  ", depth) + "}")
}

// tableKeys returns the keys: first the list part 1..n, then the others
// sorted.
func tableKeys(t *lua.LTable) ([]lua.LValue, int) {
	expand(t)
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	var rest []lua.LValue
	t.ForEach(func(k, _ lua.LValue) {
		if num, ok := k.(lua.LNumber); ok && float64(num) >= 1 && float64(num) <= float64(n) && float64(num) == float64(int(num)) {
			return
		}
		rest = append(rest, k)
	})
	sort.Slice(rest, func(i, j int) bool { return lua.LVAsString(rest[i]) < lua.LVAsString(rest[j]) })
	keys := make([]lua.LValue, 0, n+len(rest))
	for i := 1; i <= n; i++ {
		keys = append(keys, lua.LNumber(i))
	}
	return append(keys, rest...), n
}

// The REPL's patterns compile on first use: a script or a verb never
// needs them, and every package-level compile is start-up time.
var identRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

func formatKey(k lua.LValue) string {
	if s, ok := k.(lua.LString); ok && identRE().MatchString(string(s)) {
		return string(s)
	}
	if s, ok := k.(lua.LString); ok {
		return "[" + strconv.Quote(string(s)) + "]"
	}
	return "[" + lua.LVAsString(k) + "]"
}

func (s *State) hasToString(v lua.LValue) bool {
	mt, ok := s.L.GetMetatable(v).(*lua.LTable)
	return ok && mt.RawGetString("__tostring") != lua.LNil
}

// safeToString is tostring that never raises (a broken __tostring shows
// its error instead).
func (s *State) safeToString(v lua.LValue) (out string) {
	if !s.hasToString(v) {
		return s.tostring(s.L, v)
	}
	fn := s.L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(s.tostring(L, L.Get(1))))
		return 1
	})
	vals, err := s.call(context.Background(), fn, []lua.LValue{v}, 1)
	if err != nil {
		return "<tostring error: " + err.Error() + ">"
	}
	return lua.LVAsString(vals[0])
}

var (
	liveNameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b(pod|node|namespace|rc|label|annotation|log)\.(\w+)\(\s*["']([^"']*)$`)
	})
	exprRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*[.:]?$`)
	})
)

// Complete returns the completions of the word that ends line, as whole
// replacements of its last len(prefix) bytes: globals, module functions,
// object fields and methods, and live object names inside
// pod.get("ku.
func (s *State) Complete(ctx context.Context, line string) (candidates []string, prefix string) {
	if m := liveNameRE().FindStringSubmatch(line); m != nil {
		return s.liveNames(ctx, m[1], m[3]), m[3]
	}
	expr := exprRE().FindString(line)
	if expr == "" {
		return nil, ""
	}
	cut := strings.LastIndexAny(expr, ".:")
	if cut < 0 {
		return s.keysWithPrefix(s.L.G.Global, expr, false), expr
	}
	base, sep, partial := expr[:cut], expr[cut], expr[cut+1:]
	t := s.resolve(base)
	if t == nil {
		return nil, ""
	}
	if sep == ':' {
		mt, ok := s.L.GetMetatable(t).(*lua.LTable)
		if !ok {
			return nil, ""
		}
		idx, ok := mt.RawGetString("__methods").(*lua.LTable)
		if !ok {
			idx, ok = mt.RawGetString("__index").(*lua.LTable)
		}
		if !ok {
			return nil, ""
		}
		return s.keysWithPrefix(idx, partial, true), partial
	}
	return s.keysWithPrefix(t, partial, false), partial
}

// resolve follows a dotted path of table fields from the globals without
// calling anything (no metamethods, no side effects).
func (s *State) resolve(path string) *lua.LTable {
	var v lua.LValue = s.L.G.Global
	for _, p := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == ':' }) {
		t, ok := v.(*lua.LTable)
		if !ok {
			return nil
		}
		expandField(t, p)
		v = t.RawGetString(p)
	}
	t, _ := v.(*lua.LTable)
	return t
}

func (s *State) keysWithPrefix(t *lua.LTable, prefix string, funcsOnly bool) []string {
	expand(t)
	var out []string
	t.ForEach(func(k, v lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || !strings.HasPrefix(string(ks), prefix) || strings.HasPrefix(string(ks), "_") && prefix == "" {
			return
		}
		if _, isFn := v.(*lua.LFunction); funcsOnly && !isFn {
			return
		}
		out = append(out, string(ks))
	})
	sort.Strings(out)
	return out
}

// liveNames lists object names for completion; errors mean no candidates.
func (s *State) liveNames(ctx context.Context, module, prefix string) []string {
	eng, err := s.engineFor(ctx)
	if err != nil {
		return nil
	}
	resource := map[string]string{"node": "nodes", "namespace": "namespaces", "rc": "replicationcontrollers"}[module]
	if resource == "" {
		resource = "pods"
	}
	ns := s.ns
	if k, _ := api.KindFor(resource); !k.Namespaced {
		ns = ""
	}
	list, err := eng.List(ctx, resource, cluster.ListOptions{Namespace: ns})
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range list.Items {
		if name := o.GetObjectMeta().Name; strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out
}

// engineFor connects like api() but returns the error instead of raising.
func (s *State) engineFor(ctx context.Context) (eng cluster.Interface, err error) {
	fn := s.L.NewFunction(func(L *lua.LState) int {
		eng = s.api(L)
		return 0
	})
	_, err = s.call(ctx, fn, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("%v", err)
	}
	return eng, nil
}

// Globals lists the global names (for completion).
func (s *State) Globals() []string { return s.keysWithPrefix(s.L.G.Global, "", false) }
