package bindings

import (
	"bytes"
	"encoding/json"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// toObject converts a Lua manifest table of kind k to an API object through
// JSON and the strict decoder, so Lua input gets the same unknown-field
// errors as files. A table without apiVersion/kind is taken as kind k.
func (s *State) toObject(L *lua.LState, v lua.LValue, k api.Kind, fn string) api.Object {
	t, ok := v.(*lua.LTable)
	if !ok {
		s.argError(L, 1, fn, "table expected, got "+v.Type().String())
	}
	if kind := fieldStr(t, "kind"); kind != "" && kind != k.Kind {
		s.raise(L, reasonBadRequest, "%s: a %s manifest was given where a %s is expected", fn, kind, k.Kind)
	}
	data, err := encodeJSON(t, jsonOptions{emptyAsNull: true})
	if err != nil {
		s.raise(L, api.ReasonBadRequest, "%s: %v", fn, err)
	}
	obj, err := decodeKind(data, k)
	if err != nil {
		s.raise(L, api.ReasonBadRequest, "%s: %v", fn, err)
	}
	return obj
}

// decodeKind strictly decodes one object of kind k.
func decodeKind(data []byte, k api.Kind) (api.Object, error) {
	obj := k.New()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return nil, fmt.Errorf("%s in version \"v1\" cannot be handled as a %s: strict decoding error: %w", k.Kind, k.Kind, err)
	}
	tm := obj.GetTypeMeta()
	if tm.Kind == "" {
		tm.Kind = k.Kind
	}
	if tm.APIVersion == "" {
		tm.APIVersion = "v1"
	}
	return obj, nil
}
