package bindings

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

// converter turns Go API values into Lua tables exactly as their JSON
// encoding would look (same names, omitempty/omitzero, times as RFC 3339,
// quantities as strings), without going through JSON: listing 10,000 pods
// into Lua must stay under 50 ms. Plans are cached per Go type.
type converter struct {
	plans map[reflect.Type]*structPlan
}

type fieldPlan struct {
	name      string
	index     []int
	omitEmpty bool
	omitZero  bool
	zeroer    bool // the type has an IsZero method (omitzero asks it)
}

type structPlan struct {
	fields []fieldPlan
	byName map[string]int // JSON name -> index in fields
}

var (
	timeType      = reflect.TypeFor[api.Time]()
	microTimeType = reflect.TypeFor[api.MicroTime]()
	quantityType  = reflect.TypeFor[resource.Quantity]()
	goTimeType    = reflect.TypeFor[time.Time]()
	isZeroerType  = reflect.TypeFor[interface{ IsZero() bool }]()
	stringMapType = reflect.TypeFor[map[string]string]()
	stringsType   = reflect.TypeFor[[]string]()
)

// timeOf reads the time.Time inside api.Time or api.MicroTime without
// boxing a copy when v is addressable.
func timeOf(v reflect.Value) time.Time {
	f := v.Field(0)
	if f.CanAddr() {
		return *f.Addr().Interface().(*time.Time)
	}
	return f.Interface().(time.Time)
}

// goStringMap is the fast path for labels, annotations, selectors.
func goStringMap(L *lua.LState, m map[string]string) (lua.LValue, bool) {
	if m == nil {
		return lua.LNil, false
	}
	t := L.CreateTable(0, len(m))
	for k, v := range m {
		t.RawSetString(k, lua.LString(v))
	}
	return t, true
}

// goStrings is the fast path for command, args, finalizers.
func goStrings(L *lua.LState, v reflect.Value) (lua.LValue, bool) {
	if v.IsNil() {
		return lua.LNil, false
	}
	n := v.Len()
	t := L.CreateTable(n, 0)
	for i := range n {
		t.RawSetInt(i+1, lua.LString(v.Index(i).String()))
	}
	return t, true
}

func newConverter() *converter {
	return &converter{plans: map[reflect.Type]*structPlan{}}
}

// value converts v to a Lua value; ok is false when JSON would write null
// (nil pointers, zero times), which Lua represents by leaving the key out.
func (c *converter) value(L *lua.LState, v reflect.Value) (lua.LValue, bool) {
	switch v.Type() {
	case timeType:
		t := timeOf(v)
		if t.IsZero() {
			return lua.LNil, false
		}
		return lua.LString(t.UTC().Format(time.RFC3339)), true
	case microTimeType:
		t := timeOf(v)
		if t.IsZero() {
			return lua.LNil, false
		}
		return lua.LString(t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")), true
	case quantityType:
		if v.CanAddr() {
			return lua.LString(v.Addr().Interface().(*resource.Quantity).String()), true
		}
		q := v.Interface().(resource.Quantity)
		return lua.LString(q.String()), true
	case stringMapType:
		return goStringMap(L, v.Interface().(map[string]string))
	case stringsType:
		return goStrings(L, v)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return lua.LNil, false
		}
		return c.value(L, v.Elem())
	case reflect.String:
		return lua.LString(v.String()), true
	case reflect.Bool:
		return lua.LBool(v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return lua.LNumber(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return lua.LNumber(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return lua.LNumber(v.Float()), true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return lua.LNil, false
		}
		t := L.CreateTable(v.Len(), 0)
		for i := 0; i < v.Len(); i++ {
			lv, _ := c.value(L, v.Index(i))
			t.RawSetInt(i+1, lv)
		}
		return t, true
	case reflect.Map:
		if v.IsNil() {
			return lua.LNil, false
		}
		t := L.CreateTable(0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if lv, ok := c.value(L, iter.Value()); ok {
				t.RawSetString(iter.Key().String(), lv)
			}
		}
		return t, true
	case reflect.Struct:
		return c.structValue(L, v), true
	}
	return c.viaJSON(L, v)
}

// viaJSON is the fallback for types the walker does not know.
func (c *converter) viaJSON(L *lua.LState, v reflect.Value) (lua.LValue, bool) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return lua.LNil, false
	}
	var x any
	if json.Unmarshal(b, &x) != nil || x == nil {
		return lua.LNil, false
	}
	return fromJSONValue(L, x), true
}

func (c *converter) structValue(L *lua.LState, v reflect.Value) *lua.LTable {
	plan := c.plan(v.Type())
	// Collect the present fields first: the table is then made with the
	// exact hash size (gopher-lua allocates what it is told, and clearing
	// oversized maps showed up as the top cost of listing pods).
	var buf [24]fieldValue
	present := buf[:0]
	for i := range plan.fields {
		f := &plan.fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || omitted(f, fv) {
			continue
		}
		if lv, ok := c.value(L, fv); ok {
			present = append(present, fieldValue{f.name, lv})
		}
	}
	t := L.CreateTable(0, len(present))
	for _, p := range present {
		t.RawSetString(p.name, p.value)
	}
	return t
}

type fieldValue struct {
	name  string
	value lua.LValue
}

// fieldByIndex walks embedded fields; a nil embedded pointer means the
// field is absent.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func omitted(f *fieldPlan, v reflect.Value) bool {
	if f.omitZero {
		if f.zeroer {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return true
			}
			if v.CanAddr() { // no copy boxed into the interface
				return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
			}
			return v.Interface().(interface{ IsZero() bool }).IsZero()
		}
		if v.IsZero() {
			return true
		}
	}
	if !f.omitEmpty {
		return false
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	}
	return false
}

// plan computes (once per type) the JSON fields of a struct, following
// encoding/json's rules for tags and embedded structs.
func (c *converter) plan(t reflect.Type) *structPlan {
	if p, ok := c.plans[t]; ok {
		return p
	}
	p := &structPlan{fields: jsonFields(t, nil)}
	p.byName = make(map[string]int, len(p.fields))
	for i, f := range p.fields {
		p.byName[f.name] = i
	}
	c.plans[t] = p
	return p
}

func jsonFields(t reflect.Type, prefix []int) []fieldPlan {
	var out []fieldPlan
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		index := append(append([]int(nil), prefix...), i)
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct && ft != goTimeType {
			out = append(out, jsonFields(ft, index)...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, fieldPlan{name: name, index: index,
			omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			omitZero:  strings.Contains(","+opts+",", ",omitzero,"),
			zeroer:    sf.Type.Implements(isZeroerType)})
	}
	return out
}

// fromJSONValue converts a decoded JSON value (any) to Lua.
func fromJSONValue(L *lua.LState, x any) lua.LValue {
	switch x := x.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case json.Number:
		f, _ := x.Float64()
		return lua.LNumber(f)
	case string:
		return lua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, fromJSONValue(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			if e != nil {
				t.RawSetString(k, fromJSONValue(L, e))
			}
		}
		return t
	}
	return lua.LNil
}
