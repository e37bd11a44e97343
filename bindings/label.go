package bindings

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// labelModule builds "label" or "annotation": the same three functions on
// metadata.labels or metadata.annotations, with kubectl's texts.
func (s *State) labelModule(which string) module {
	plural := which + "s"
	return module{name: which, doc: fmt.Sprintf("The %s of any object (a pod unless a \"kind/name\" or an object says otherwise).", plural), funcs: []function{
		{"set", "(target, {k=v...}, {overwrite=false})", fmt.Sprintf("Sets %s and returns the updated object. Changing an existing key needs overwrite=true, as kubectl's --overwrite.", plural), s.labelSet(which)},
		{"remove", "(target, key...)", fmt.Sprintf("Removes %s (a missing key is not an error) and returns the updated object.", plural), s.labelRemove(which)},
		{"get", "(target)", fmt.Sprintf("Returns the %s as a table (empty when none).", plural), s.labelGet(which)},
	}}
}

// current reads the labels or annotations of obj.
func currentOf(obj api.Object, which string) map[string]string {
	m := obj.GetObjectMeta()
	if which == "label" {
		return m.Labels
	}
	return m.Annotations
}

func (s *State) labelSet(which string) lua.LGFunction {
	fn := which + ".set"
	return func(L *lua.LState) int {
		r := s.target(L, 1, podKind, fn, "")
		want := s.stringMap(L, L.Get(2), fn, which+"s")
		o := s.options(L, 3, fn, "overwrite")
		obj := s.get(L, r)
		have := currentOf(obj, which)
		if !o.boolOr("overwrite", false) {
			if msg := overwriteError(which, have, want); msg != "" {
				s.raise(L, api.ReasonInvalid, "%s", msg)
			}
		}
		patch := map[string]any{}
		for k, v := range want {
			if hv, ok := have[k]; !ok || hv != v {
				patch[k] = v
			}
		}
		if len(patch) > 0 {
			obj = s.patch(L, r, metaPatch(which, patch))
		}
		L.Push(s.updateSelf(L, 1, obj))
		return 1
	}
}

// overwriteError is kubectl's refusal to change a key without --overwrite.
func overwriteError(which string, have, want map[string]string) string {
	var clash []string
	for _, k := range sortedKeys(want) {
		if old, ok := have[k]; ok && old != want[k] {
			clash = append(clash, fmt.Sprintf("'%s' already has a value (%s)", k, old))
		}
	}
	if len(clash) == 0 {
		return ""
	}
	if which == "label" {
		return clash[0] + ", and --overwrite is false"
	}
	return "--overwrite is false but found the following declared annotation(s): " + strings.Join(clash, "; ")
}

func (s *State) labelRemove(which string) lua.LGFunction {
	fn := which + ".remove"
	return func(L *lua.LState) int {
		r := s.target(L, 1, podKind, fn, "")
		patch := map[string]any{}
		for i := 2; i <= L.GetTop(); i++ {
			patch[L.CheckString(i)] = nil
		}
		obj := s.get(L, r)
		have := currentOf(obj, which)
		for k := range patch {
			if _, ok := have[k]; !ok {
				delete(patch, k)
			}
		}
		if len(patch) > 0 {
			obj = s.patch(L, r, metaPatch(which, patch))
		}
		L.Push(s.updateSelf(L, 1, obj))
		return 1
	}
}

func (s *State) labelGet(which string) lua.LGFunction {
	fn := which + ".get"
	return func(L *lua.LState) int {
		var have map[string]string
		if t, ok := L.Get(1).(*lua.LTable); ok && L.GetMetatable(t) != lua.LNil {
			field := "metadata." + which + "s"
			if m, ok := field_(t, field).(*lua.LTable); ok {
				L.Push(copyTable(L, m))
				return 1
			}
			L.Push(L.CreateTable(0, 4))
			return 1
		}
		r := s.target(L, 1, podKind, fn, "")
		have = currentOf(s.get(L, r), which)
		t := L.CreateTable(0, len(have))
		for k, v := range have {
			t.RawSetString(k, lua.LString(v))
		}
		L.Push(t)
		return 1
	}
}

func field_(t *lua.LTable, path string) lua.LValue { return field(t, path) }

func copyTable(L *lua.LState, src *lua.LTable) *lua.LTable {
	t := L.CreateTable(0, 4)
	src.ForEach(func(k, v lua.LValue) { t.RawSet(k, v) })
	return t
}

// metaPatch is a merge patch of metadata.labels or .annotations. Like
// kubectl's it carries no resourceVersion: controllers write the status of
// the same object all the time, and a label change does not conflict with
// them.
func metaPatch(which string, changes map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{which + "s": changes}})
	return b
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
