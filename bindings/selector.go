package bindings

import (
	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/labels"
)

func (s *State) selectorModule() module {
	return module{name: "selector", doc: "Kubernetes label selectors (=, ==, !=, in, notin, key, !key; comma = AND).", funcs: []function{
		{"parse", "(s)", "Parses a selector; the result has :matches(labels_or_object) and tostring gives the canonical form. Bad syntax raises Kubernetes' parse error.", s.selectorParse},
		{"match", "(s, labels_or_object)", "Tells whether the labels (a {k=v} table or an object's metadata.labels) match the selector s.", s.selectorMatch},
	}}
}

// selectorMeta is the metatable of parsed selectors (made once per state).
func (s *State) selectorMeta(L *lua.LState) *lua.LTable {
	if mt, ok := L.G.Registry.RawGetString("min.selector").(*lua.LTable); ok {
		return mt
	}
	mt := L.NewTable()
	methods := L.NewTable()
	methods.RawSetString("matches", L.NewFunction(func(L *lua.LState) int {
		sel := s.checkSelector(L, 1, "selector:matches")
		L.Push(lua.LBool(sel.Matches(s.labelSetArg(L, 2, "selector:matches"))))
		return 1
	}))
	methods.RawSetString("empty", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LBool(s.checkSelector(L, 1, "selector:empty").Empty()))
		return 1
	}))
	mt.RawSetString("__index", methods)
	mt.RawSetString("__name", lua.LString("selector"))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(s.checkSelector(L, 1, "tostring").String()))
		return 1
	}))
	L.G.Registry.RawSetString("min.selector", mt)
	return mt
}

func (s *State) checkSelector(L *lua.LState, n int, fn string) labels.Selector {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if sel, ok := ud.Value.(labels.Selector); ok {
			return sel
		}
	}
	s.argError(L, n, fn, "selector expected, got "+L.Get(n).Type().String())
	return nil
}

func (s *State) parseSelector(L *lua.LState, n int, fn string) labels.Selector {
	switch v := L.Get(n).(type) {
	case *lua.LUserData:
		return s.checkSelector(L, n, fn)
	case lua.LString:
		sel, err := labels.Parse(string(v))
		if err != nil {
			s.raise(L, reasonBadRequest, "%v", err)
		}
		return sel
	}
	s.argError(L, n, fn, "string expected, got "+L.Get(n).Type().String())
	return nil
}

// labelSetArg reads labels from a {k=v} table or from an object.
func (s *State) labelSetArg(L *lua.LState, n int, fn string) labels.Set {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		s.argError(L, n, fn, "table of labels or object expected, got "+L.Get(n).Type().String())
	}
	if L.GetMetatable(t) != lua.LNil || t.RawGetString("metadata") != lua.LNil {
		m, ok := field(t, "metadata.labels").(*lua.LTable)
		if !ok {
			return labels.Set{}
		}
		t = m
	}
	return labels.Set(s.stringMap(L, t, fn, "labels"))
}

func (s *State) selectorParse(L *lua.LState) int {
	sel := s.parseSelector(L, 1, "selector.parse")
	ud := L.NewUserData()
	ud.Value = sel
	L.SetMetatable(ud, s.selectorMeta(L))
	L.Push(ud)
	return 1
}

func (s *State) selectorMatch(L *lua.LState) int {
	sel := s.parseSelector(L, 1, "selector.match")
	L.Push(lua.LBool(sel.Matches(s.labelSetArg(L, 2, "selector.match"))))
	return 1
}
