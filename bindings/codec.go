package bindings

import (
	"bytes"
	"encoding/json"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// codecModule is "yaml" or "json": encode(value) and decode(text).
func (s *State) codecModule(which string) module {
	return module{name: which, doc: "The " + which + " codec for plain Lua values.", funcs: []function{
		{"encode", "(value)", "Encodes a Lua value (lists are tables with keys 1..n; keys are sorted) as " + which + ".", s.codecEncode(which)},
		{"decode", "(text)", "Decodes " + which + " text into Lua values (null becomes nil). Bad input raises.", s.codecDecode(which)},
	}}
}

func (s *State) codecEncode(which string) lua.LGFunction {
	fn := which + ".encode"
	return func(L *lua.LState) int {
		data, err := encodeJSON(L.CheckAny(1), jsonOptions{sortKeys: true})
		if err != nil {
			s.raise(L, reasonBadRequest, "%s: %v", fn, err)
		}
		if which == "yaml" {
			if data, err = yaml.JSONToYAML(data); err != nil {
				s.raise(L, reasonBadRequest, "%s: %v", fn, err)
			}
		}
		L.Push(lua.LString(data))
		return 1
	}
}

func (s *State) codecDecode(which string) lua.LGFunction {
	fn := which + ".decode"
	return func(L *lua.LState) int {
		data := []byte(L.CheckString(1))
		if which == "yaml" {
			var err error
			if data, err = yaml.YAMLToJSON(data); err != nil {
				s.raise(L, reasonBadRequest, "%s: %v", fn, err)
			}
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			s.raise(L, reasonBadRequest, "%s: %v", fn, err)
		}
		L.Push(fromJSONValue(L, x))
		return 1
	}
}
