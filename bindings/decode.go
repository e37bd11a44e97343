package bindings

import (
	"bytes"
	"encoding/json"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/manifest"
)

// toObject converts a Lua manifest table of kind k to an API object through
// JSON and engine/manifest's strict decoder, so Lua input gets the same
// unknown-field errors as files, with Lua's 1-based indices. A table
// without apiVersion/kind is taken as kind k.
func (s *State) toObject(L *lua.LState, v lua.LValue, k api.Kind, fn string) api.Object {
	t, ok := v.(*lua.LTable)
	if !ok {
		s.argError(L, 1, fn, "table expected, got "+v.Type().String())
	}
	data, err := encodeJSON(t, jsonOptions{emptyAsNull: true})
	if err != nil {
		s.raise(L, api.ReasonBadRequest, "%s: %v", fn, err)
	}
	obj, err := decodeKind(data, k)
	if err != nil {
		s.raiseErr(L, err)
	}
	return obj
}

// decodeKind decodes one object of kind k. The common case (a table with
// only known fields) takes a fast path: one typed json decode that refuses
// unknown fields. Anything it refuses goes through engine/manifest, which
// says precisely what is wrong (and drops status, as a create does).
func decodeKind(data []byte, k api.Kind) (api.Object, error) {
	obj := k.New()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err == nil {
		tm := obj.GetTypeMeta()
		if (tm.Kind == "" || tm.Kind == k.Kind) && (tm.APIVersion == "" || tm.APIVersion == "v1") {
			tm.Kind, tm.APIVersion = k.Kind, "v1"
			return obj, nil
		}
	}
	return manifest.DecodeObject(k.Kind, data)
}
