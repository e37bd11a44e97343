package bindings

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// jsonOptions say how ambiguous Lua values become JSON.
type jsonOptions struct {
	// emptyAsNull writes an empty table as null: when the target is a Go
	// type, null fits a list, a map and a struct alike, while {} or []
	// would fit only one of them.
	emptyAsNull bool
	// sortKeys orders object keys (stable output for json.encode).
	sortKeys bool
}

// pathError is a conversion problem at a field path (1-based indices, as
// Lua users count).
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

// encodeJSON writes v as JSON. Tables whose keys are exactly 1..n are
// arrays; tables with string keys are objects; anything else is an error
// naming the field path.
func encodeJSON(v lua.LValue, opts jsonOptions) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, v, "", opts, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, v lua.LValue, path string, opts jsonOptions, depth int) error {
	if depth > 100 {
		return &pathError{path, "table nesting too deep (a cycle?)"}
	}
	switch v := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		return writeNumber(b, float64(v), path)
	case lua.LString:
		writeString(b, string(v))
	case *lua.LTable:
		return writeTable(b, v, path, opts, depth)
	default:
		return &pathError{path, fmt.Sprintf("cannot convert a %s to JSON", v.Type())}
	}
	return nil
}

func writeNumber(b *bytes.Buffer, f float64, path string) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return &pathError{path, fmt.Sprintf("cannot convert %v to JSON", f)}
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		b.WriteString(strconv.FormatInt(int64(f), 10))
		return nil
	}
	b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	return nil
}

func writeTable(b *bytes.Buffer, t *lua.LTable, path string, opts jsonOptions, depth int) error {
	expand(t)
	n, keys, err := tableShape(t, path)
	if err != nil {
		return err
	}
	switch {
	case n == 0 && len(keys) == 0:
		if opts.emptyAsNull {
			b.WriteString("null")
		} else {
			b.WriteString("{}")
		}
		return nil
	case n > 0:
		b.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, t.RawGetInt(i), fmt.Sprintf("%s[%d]", path, i), opts, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	if opts.sortKeys {
		sort.Strings(keys)
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, k)
		b.WriteByte(':')
		sub := k
		if path != "" {
			sub = path + "." + k
		}
		if err := writeJSON(b, t.RawGetString(k), sub, opts, depth+1); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// tableShape returns n > 0 for an array 1..n, or the string keys of an
// object; a mix is an error.
func tableShape(t *lua.LTable, path string) (int, []string, error) {
	var keys []string
	count, maxInt := 0, 0
	var bad lua.LValue
	t.ForEach(func(k, _ lua.LValue) {
		count++
		switch k := k.(type) {
		case lua.LString:
			keys = append(keys, string(k))
		case lua.LNumber:
			if f := float64(k); f == math.Trunc(f) && f >= 1 {
				maxInt = max(maxInt, int(f))
				return
			}
			bad = k
		default:
			bad = k
		}
	})
	if bad != nil {
		return 0, nil, &pathError{path, fmt.Sprintf("cannot convert a table with key %s to JSON", lua.LVAsString(bad))}
	}
	ints := count - len(keys)
	if ints > 0 && len(keys) > 0 {
		return 0, nil, &pathError{path, "cannot convert a table that mixes list items and named fields to JSON"}
	}
	if ints > 0 && maxInt != ints {
		return 0, nil, &pathError{path, "cannot convert a list with holes (nil items) to JSON"}
	}
	return ints, keys, nil
}

func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
