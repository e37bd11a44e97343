package bindings

import (
	"bytes"
	"encoding/json"
	"reflect"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/manifest"
)

// toObject converts a Lua manifest table of kind k to an API object. The
// usual table converts directly (fromLua); anything that does not goes
// through JSON and engine/manifest's strict decoder, so Lua input gets the
// same unknown-field errors as files, with Lua's 1-based indices. A table
// without apiVersion/kind is taken as kind k.
func (s *State) toObject(L *lua.LState, v lua.LValue, k api.Kind, fn string) api.Object {
	t, ok := v.(*lua.LTable)
	if !ok {
		s.argError(L, 1, fn, "table expected, got "+v.Type().String())
	}
	if obj := pristine(t); obj != nil && s.kindOf[reflect.TypeOf(obj)].Kind == k.Kind {
		// Nothing of the table was read, so it says what obj says.
		obj = obj.DeepCopyObject()
		tm := obj.GetTypeMeta()
		tm.Kind, tm.APIVersion = k.Kind, "v1"
		return obj
	}
	if obj := k.New(); s.conv.fromLua(reflect.ValueOf(obj).Elem(), t, 0) && settleTypeMeta(obj, k) {
		return obj
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
	if err := dec.Decode(obj); err == nil && settleTypeMeta(obj, k) {
		return obj, nil
	}
	return manifest.DecodeObject(k.Kind, data)
}

// settleTypeMeta fills in kind and apiVersion when obj's are empty or
// right, and reports false when they name something else.
func settleTypeMeta(obj api.Object, k api.Kind) bool {
	tm := obj.GetTypeMeta()
	if (tm.Kind == "" || tm.Kind == k.Kind) && (tm.APIVersion == "" || tm.APIVersion == "v1") {
		tm.Kind, tm.APIVersion = k.Kind, "v1"
		return true
	}
	return false
}
