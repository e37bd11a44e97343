package bindings

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// fromLua fills v straight from a Lua value, as encodeJSON (with
// emptyAsNull) followed by a strict json decode would, without the JSON
// in between. It reports false at the first thing it does not handle
// exactly as that pair would (an unknown or differently cased key, a type
// mismatch, a fractional or out-of-range integer, invalid UTF-8, a
// cycle...): the caller then takes the JSON path, which says precisely
// what is wrong. v may be left half filled when it returns false.
func (c *converter) fromLua(v reflect.Value, lv lua.LValue, depth int) bool {
	if depth > 100 {
		return false
	}
	if v.Kind() == reflect.Pointer {
		if t, ok := lv.(*lua.LTable); ok {
			return c.tableInto(v, t, depth) // {} is null: nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return c.fromLua(v.Elem(), lv, depth+1)
	}
	if u, ok := unmarshaler(v); ok {
		data, err := encodeJSON(lv, jsonOptions{emptyAsNull: true})
		return err == nil && u.UnmarshalJSON(data) == nil
	}
	switch x := lv.(type) {
	case lua.LBool:
		if v.Kind() != reflect.Bool {
			return false
		}
		v.SetBool(bool(x))
		return true
	case lua.LNumber:
		return setNumber(v, float64(x))
	case lua.LString:
		if v.Kind() != reflect.String || !utf8.ValidString(string(x)) {
			return false
		}
		v.SetString(string(x))
		return true
	case *lua.LTable:
		return c.tableInto(v, x, depth)
	}
	return false
}

// unmarshaler returns v's json.Unmarshaler (Quantity, Time...), which
// gets the value's JSON as encoding/json would give it. Types that
// unmarshal from text only are left to the JSON path.
func unmarshaler(v reflect.Value) (json.Unmarshaler, bool) {
	if v.Kind() == reflect.Pointer || !v.CanAddr() {
		return nil, false
	}
	pv := v.Addr()
	if u, ok := pv.Interface().(json.Unmarshaler); ok {
		return u, true
	}
	if _, ok := pv.Interface().(encoding.TextUnmarshaler); ok {
		return failing{}, true
	}
	return nil, false
}

// failing sends a type to the JSON path.
type failing struct{}

func (failing) UnmarshalJSON([]byte) error { return errFallback }

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

var errFallback = &pathError{msg: "take the JSON path"}

// setNumber sets a number as json would parse writeNumber's text.
func setNumber(v reflect.Value, f float64) bool {
	integral := f == math.Trunc(f) && math.Abs(f) < 1e15
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !integral || v.OverflowInt(int64(f)) {
			return false
		}
		v.SetInt(int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !integral || f < 0 || v.OverflowUint(uint64(f)) {
			return false
		}
		v.SetUint(uint64(f))
	case reflect.Float64:
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return false
		}
		v.SetFloat(f)
	default:
		return false
	}
	return true
}

// tableInto decodes a table: a list into a slice, named fields into a
// struct or a string-keyed map, an empty table as null.
func (c *converter) tableInto(v reflect.Value, t *lua.LTable, depth int) bool {
	expand(t)
	n, keys, err := tableShape(t, "")
	if err != nil {
		return false
	}
	if n == 0 && len(keys) == 0 { // null: nil for these kinds, else no effect
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return c.fromLua(v.Elem(), t, depth+1)
	case reflect.Slice:
		if n == 0 || v.Type().Elem().Kind() == reflect.Uint8 {
			return false
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			if !c.fromLua(s.Index(i), t.RawGetInt(i+1), depth+1) {
				return false
			}
		}
		v.Set(s)
		return true
	case reflect.Map:
		kt := v.Type().Key()
		if len(keys) == 0 || kt.Kind() != reflect.String || reflect.PointerTo(kt).Implements(textUnmarshalerType) {
			return false
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(keys)))
		}
		et := v.Type().Elem()
		for _, k := range keys {
			e := reflect.New(et).Elem()
			if !utf8.ValidString(k) || !c.fromLua(e, t.RawGetString(k), depth+1) {
				return false
			}
			v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
		return true
	case reflect.Struct:
		if len(keys) == 0 {
			return false
		}
		plan := c.plan(v.Type())
		for _, k := range keys {
			i, ok := plan.byName[k]
			if !ok {
				return false
			}
			f, ok := settableField(v, plan.fields[i].index)
			if !ok || !c.fromLua(f, t.RawGetString(k), depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// settableField walks embedded fields, allocating nil embedded pointers
// as encoding/json does (it refuses unexported ones).
func settableField(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, v.CanSet()
}
