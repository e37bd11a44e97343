package bindings

import (
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/labels"
)

// opts is a checked options table: every key must be one the function
// knows, else the call raises with a did-you-mean.
type opts struct {
	t *lua.LTable
}

// options reads argument n as an options table (absent: empty) and checks
// its keys against allowed.
func (s *State) options(L *lua.LState, n int, fn string, allowed ...string) opts {
	v := L.Get(n)
	if v == lua.LNil {
		return opts{}
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		s.argError(L, n, fn, "options table expected, got "+v.Type().String())
	}
	var bad []string
	t.ForEach(func(k, _ lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || !contains(allowed, string(ks)) {
			bad = append(bad, lua.LVAsString(k))
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		s.raise(L, reasonBadRequest, "%s: unknown option %q%s", fn, bad[0], didYouMean(bad[0], allowed))
	}
	return opts{t: t}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (o opts) get(key string) lua.LValue {
	if o.t == nil {
		return lua.LNil
	}
	return o.t.RawGetString(key)
}

func (o opts) str(key string) string {
	if v, ok := o.get(key).(lua.LString); ok {
		return string(v)
	}
	if v, ok := o.get(key).(lua.LNumber); ok {
		return v.String()
	}
	return ""
}

func (o opts) boolOr(key string, def bool) bool {
	v := o.get(key)
	if v == lua.LNil {
		return def
	}
	return lua.LVAsBool(v)
}

func (o opts) num(key string) (float64, bool) {
	v, ok := o.get(key).(lua.LNumber)
	return float64(v), ok
}

// selectorString accepts a selector as a string, a {k=v} table or a
// selector object, and returns Kubernetes' string form.
func (s *State) selectorString(L *lua.LState, v lua.LValue, fn string) string {
	switch v := v.(type) {
	case *lua.LNilType:
		return ""
	case lua.LString:
		sel, err := labels.Parse(string(v))
		if err != nil {
			s.raise(L, reasonBadRequest, "%s: %v", fn, err)
		}
		return sel.String()
	case *lua.LUserData:
		if sel, ok := v.Value.(labels.Selector); ok {
			return sel.String()
		}
	case *lua.LTable:
		set := labels.Set{}
		v.ForEach(func(k, val lua.LValue) { set[lua.LVAsString(k)] = lua.LVAsString(val) })
		sel, err := labels.ValidatedSelectorFromSet(set)
		if err != nil {
			s.raise(L, reasonBadRequest, "%s: %v", fn, err)
		}
		return sel.String()
	}
	s.raise(L, reasonBadRequest, "%s: selector must be a string, a table of labels or a selector, got %s", fn, v.Type())
	return ""
}

// stringMap reads a {k=v} table of strings (numbers and booleans are
// written as Lua's tostring would).
func (s *State) stringMap(L *lua.LState, v lua.LValue, fn, what string) map[string]string {
	t, ok := v.(*lua.LTable)
	if !ok {
		s.raise(L, reasonBadRequest, "%s: %s must be a table of strings, got %s", fn, what, v.Type())
	}
	out := map[string]string{}
	t.ForEach(func(k, val lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok {
			s.raise(L, reasonBadRequest, "%s: %s keys must be strings, got %s", fn, what, k.Type())
		}
		switch val.(type) {
		case lua.LString, lua.LNumber, lua.LBool:
			out[string(ks)] = lua.LVAsString(val)
		default:
			s.raise(L, reasonBadRequest, "%s: %s.%s must be a string, got %s", fn, what, ks, val.Type())
		}
	})
	return out
}

// didYouMean suggests the closest candidate within a small edit distance.
func didYouMean(word string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
