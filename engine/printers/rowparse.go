package printers

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// rowParser reads JSON from b at i: the pieces of a Table (tablescan.go
// feeds it the bytes at hand and runs it again when they end too soon,
// which every method reports as errShort).
//
// Why not encoding/json: decoding a row through reflection (and framing
// it with json.Decoder, which scans every byte twice) was most of the
// client's time for a long Table: 7 µs a row, 0.7 s of `minish get pods
// -A` with 100,000 pods. The rows have a fixed shape (cells of scalars,
// the object's name, namespace and labels), which a direct reading takes
// in a fraction of that. Anything unusual (escaped or invalid UTF-8
// strings, a cell that is an object or array, row conditions, columns)
// goes through encoding/json, so the result is what json.Unmarshal with
// UseNumber and cellValue gave.
type rowParser struct {
	b []byte
	i int
}

// parsedRow is a row as rowParser reads it.
type parsedRow struct {
	cells      []any
	conditions []RowCondition
	hasObject  bool
	name, ns   string
	labels     map[string]string
}

// row reads a row whose cells are appended to cells; with bare, the
// row's object is skipped.
func (p *rowParser) row(cells []any, bare bool) (parsedRow, error) {
	row := parsedRow{cells: cells}
	err := p.object(func(key []byte) error {
		switch string(key) {
		case "cells":
			return p.cells(&row)
		case "conditions":
			return p.unmarshal(&row.conditions)
		case "object":
			if bare || p.peek() == 'n' {
				return p.skip()
			}
			row.hasObject = true
			return p.rowObject(&row)
		}
		return p.skip()
	})
	return row, err
}

// cells reads the cells array (or null) into row.cells.
func (p *rowParser) cells(row *parsedRow) error {
	if p.peek() == 'n' {
		row.cells = nil
		return p.skip()
	}
	return p.array(func() error {
		v, err := p.cell()
		row.cells = append(row.cells, v)
		return err
	})
}

// rowObject reads the name, namespace and labels of a row's object.
func (p *rowParser) rowObject(row *parsedRow) error {
	return p.object(func(key []byte) error {
		if string(key) != "metadata" || p.peek() == 'n' {
			return p.skip()
		}
		if p.peek() != '{' {
			return p.errorf("object.metadata: want an object")
		}
		return p.object(func(key []byte) (err error) {
			switch string(key) {
			case "name":
				row.name, err = p.str("metadata.name")
			case "namespace":
				row.ns, err = p.str("metadata.namespace")
			case "labels":
				row.labels, err = p.labels()
			default:
				err = p.skip()
			}
			return err
		})
	})
}

// labels reads a string-to-string object (or null).
func (p *rowParser) labels() (map[string]string, error) {
	switch p.peek() {
	case 'n':
		return nil, p.skip()
	case '{':
	default:
		return nil, p.errorf("metadata.labels: want an object")
	}
	m := map[string]string{}
	err := p.object(func(key []byte) error {
		k, err := keyString(key)
		if err != nil {
			return err
		}
		m[k], err = p.str("metadata.labels")
		return err
	})
	return m, err
}

// cell reads a cell: strings, numbers (int64 when whole, as the server's
// integer columns are, else float64), booleans and null directly; objects
// and arrays through encoding/json.
func (p *rowParser) cell() (any, error) {
	switch c := p.peek(); {
	case c == '"':
		return p.str("cells")
	case c == '{' || c == '[':
		var v any
		err := p.unmarshal(&v)
		return v, err
	}
	lit, err := p.literal()
	switch {
	case err != nil:
		return nil, err
	case string(lit) == "true":
		return true, nil
	case string(lit) == "false":
		return false, nil
	case string(lit) == "null":
		return nil, nil
	}
	return cellValue(json.Number(lit)), nil
}

// str reads a string (null reads as "").
func (p *rowParser) str(what string) (string, error) {
	switch p.peek() {
	case 'n':
		return "", p.skip()
	case '"':
	default:
		return "", p.errorf("%s: want a string", what)
	}
	start := p.i
	content, escaped, err := p.quoted()
	switch {
	case err != nil:
		return "", err
	case !utf8.Valid(content):
		var s string // encoding/json's replacement of invalid bytes
		err = json.Unmarshal(p.b[start:p.i], &s)
		return s, err
	case escaped:
		return unescape(content)
	}
	return string(content), nil
}

// unescape reads the escapes of a JSON string's content (Go's encoder
// writes <, > and & as \u003c, \u003e, \u0026: kubectl's "<none>" cells
// arrive so). Lone surrogates become U+FFFD, as encoding/json makes them.
func unescape(b []byte) (string, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(b) {
			return "", errBadEscape
		}
		i++
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(b[i+1:])
			if n == 0 {
				return "", errBadEscape
			}
			i += n
			if utf16.IsSurrogate(r) {
				r2, n2 := rune(-1), 0
				if i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2, n2 = hex4(b[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); n2 > 0 && dec != utf8.RuneError {
					r, i = dec, i+2+n2
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errBadEscape
		}
	}
	return string(out), nil
}

var errBadEscape = errors.New("bad escape in a JSON string")

// hex4 reads the four hex digits of a \u escape; n is 4, or 0 when they
// are not there.
func hex4(b []byte) (r rune, n int) {
	if len(b) < 4 {
		return 0, 0
	}
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(c)
	}
	return r, 4
}

// keyString is an object key (its bytes between the quotes) as a string.
func keyString(key []byte) (string, error) {
	switch {
	case !utf8.Valid(key):
		var s string
		err := json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s)
		return s, err
	case bytes.IndexByte(key, '\\') >= 0:
		return unescape(key)
	}
	return string(key), nil
}

// unmarshal reads any value into v with encoding/json (numbers in an
// interface as json.Number).
func (p *rowParser) unmarshal(v any) error {
	p.peek()
	start := p.i
	if err := p.skip(); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(p.b[start:p.i]))
	d.UseNumber()
	return d.Decode(v)
}

// object reads an object, calling fn with each key (its bytes between the
// quotes) and p at the key's value, which fn must read.
func (p *rowParser) object(fn func(key []byte) error) error {
	return p.container('{', '}', func() error {
		key, err := p.key()
		if err != nil {
			return err
		}
		return fn(key)
	})
}

// key reads an object member's key (its bytes between the quotes) and
// the colon after it.
func (p *rowParser) key() ([]byte, error) {
	if p.peek() != '"' {
		return nil, p.errorf("want a key")
	}
	key, _, err := p.quoted()
	if err != nil {
		return nil, err
	}
	if p.peek() != ':' {
		return nil, p.errorf("want ':'")
	}
	p.i++
	return key, nil
}

// array reads an array, calling fn with p at each element, which fn must
// read.
func (p *rowParser) array(fn func() error) error {
	return p.container('[', ']', fn)
}

// container reads the object or array that starts with open and ends with
// close, calling each at every member, which each must read.
func (p *rowParser) container(open, close byte, each func() error) error {
	empty, err := p.enter(open, close)
	for done := empty; err == nil && !done; {
		if err = each(); err == nil {
			done, err = p.leave(close)
		}
	}
	return err
}

// enter reads a container's open and reports whether its close follows
// at once.
func (p *rowParser) enter(open, close byte) (empty bool, err error) {
	if p.peek() != open {
		return false, p.errorf("want %q", open)
	}
	p.i++
	c, err := p.next()
	if c == close {
		p.i++
	}
	return c == close, err
}

// leave reads what follows a container's member: a comma (more members
// follow) or its close (done).
func (p *rowParser) leave(close byte) (done bool, err error) {
	switch c, err := p.next(); {
	case err != nil:
		return false, err
	case c == ',':
		p.i++
		return false, nil
	case c == close:
		p.i++
		return true, nil
	}
	return false, p.errorf("want ',' or %q", close)
}

// skip reads any value.
func (p *rowParser) skip() error {
	switch p.peek() {
	case '"':
		_, _, err := p.quoted()
		return err
	case '{':
		return p.object(func([]byte) error { return p.skip() })
	case '[':
		return p.array(p.skip)
	}
	_, err := p.literal()
	return err
}

// quoted reads a string at p.i (its opening quote) and returns the bytes
// between the quotes, and whether they hold escapes.
func (p *rowParser) quoted() (content []byte, escaped bool, err error) {
	start := p.i + 1
	for i := start; i < len(p.b); i++ {
		switch p.b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			p.i = i + 1
			return p.b[start:i], escaped, nil
		}
	}
	p.i = len(p.b)
	return nil, false, errShort
}

// literal reads a number, true, false or null.
func (p *rowParser) literal() ([]byte, error) {
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch p.b[p.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			lit := p.b[start:p.i]
			if string(lit) == "true" || string(lit) == "false" || string(lit) == "null" || isNumber(lit) {
				return lit, nil
			}
			p.i = start
			return nil, p.errorf("bad value %q", lit)
		}
	}
	return nil, errShort // a value ends before its container does
}

// isNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(b []byte) bool {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

// peek skips white space and returns the next byte (0 at the end).
func (p *rowParser) peek() byte {
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// cellValue turns a decoded number into int64 when it is whole, as the
// server's integer columns are, else float64.
func cellValue(c any) any {
	n, ok := c.(json.Number)
	if !ok {
		return c
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}
