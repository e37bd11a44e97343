package manifest

import (
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Step is one step of a field path: a field name, or an index into a
// list (Index >= 0), or a key of a map (IsKey).
type Step struct {
	Name  string
	Index int
	IsKey bool
}

// Path is a field path from an object's root.
type Path []Step

// Render prints p as Kubernetes does (spec.containers[0].image) with list
// indices counted from base: 0 for Go and kubectl, 1 for Lua.
func (p Path) Render(base int) string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.Index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index + base))
			b.WriteByte(']')
		case s.IsKey:
			b.WriteByte('[')
			b.WriteString(s.Name)
			b.WriteByte(']')
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		}
	}
	return b.String()
}

func (p Path) child(name string) Path { return append(p[:len(p):len(p)], Step{Name: name, Index: -1}) }
func (p Path) index(i int) Path       { return append(p[:len(p):len(p)], Step{Index: i}) }
func (p Path) key(k string) Path {
	return append(p[:len(p):len(p)], Step{Name: k, Index: -1, IsKey: true})
}

// Sentinels matched by errors.Is on a *FieldError.
var (
	ErrUnknownField     = errors.New("unknown field")
	ErrUnsupportedField = errors.New("field not supported by Min yet")
)

// FieldError is a field a manifest may not carry: unknown to Kubernetes
// (with the nearest known name, if one is close), or known to Kubernetes
// but not supported by Min yet.
type FieldError struct {
	Parent      Path   // the object holding the field
	Field       string // the field's name
	Suggestion  string // a known field of Parent close to Field, or ""
	Unsupported bool   // a Kubernetes field Min does not support yet
}

// FullPath is the field's path with 0-based indices: spec.containers[0].imgae.
func (e *FieldError) FullPath() string { return e.Parent.child(e.Field).Render(0) }

// Error is the Kubernetes strict-decoding text, without the
// "strict decoding error: " prefix that FieldErrors adds:
// `unknown field "spec.containers[0].imgae" (did you mean "image"?)`.
func (e *FieldError) Error() string {
	if e.Unsupported {
		return "field " + strconv.Quote(e.FullPath()) + " is not supported by Min yet"
	}
	return "unknown field " + strconv.Quote(e.FullPath()) + e.hint()
}

// Local prints the error relative to its parent, with list indices
// counted from base (1 for Lua):
// `spec.containers[1]: unknown field "imgae" (did you mean "image"?)`.
func (e *FieldError) Local(base int) string {
	msg := "unknown field " + strconv.Quote(e.Field) + e.hint()
	if e.Unsupported {
		msg = "field " + strconv.Quote(e.Field) + " is not supported by Min yet"
	}
	if parent := e.Parent.Render(base); parent != "" {
		return parent + ": " + msg
	}
	return msg
}

func (e *FieldError) hint() string {
	if e.Suggestion == "" {
		return ""
	}
	return " (did you mean " + strconv.Quote(e.Suggestion) + "?)"
}

// Is makes errors.Is(err, ErrUnknownField / ErrUnsupportedField) work.
func (e *FieldError) Is(target error) bool {
	if e.Unsupported {
		return target == ErrUnsupportedField
	}
	return target == ErrUnknownField
}

// FieldErrors are all the bad fields of one object, in path order.
type FieldErrors []*FieldError

// Error renders unknown fields as Kubernetes' strict decoding error and
// the unsupported ones after it:
// `strict decoding error: unknown field "a", unknown field "b"; field "spec.volumes" is not supported by Min yet`.
func (errs FieldErrors) Error() string {
	var unknown, unsupported []string
	for _, e := range errs {
		if e.Unsupported {
			unsupported = append(unsupported, e.Error())
		} else {
			unknown = append(unknown, e.Error())
		}
	}
	var parts []string
	if len(unknown) > 0 {
		parts = append(parts, "strict decoding error: "+strings.Join(unknown, ", "))
	}
	if len(unsupported) > 0 {
		parts = append(parts, strings.Join(unsupported, ", "))
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes each *FieldError to errors.Is and errors.As.
func (errs FieldErrors) Unwrap() []error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

// Local renders every error with Local(base), joined by "; ".
func (errs FieldErrors) Local(base int) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Local(base)
	}
	return strings.Join(msgs, "; ")
}

// check walks a generic JSON value against its schema and collects every
// unknown or unsupported field. skip names root fields not to check.
func check(v any, n *node, path Path, skip map[string]bool, errs *FieldErrors) {
	if n == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if n.quantity {
			return
		}
		if n.isMap {
			for _, k := range sortedKeys(v) {
				check(v[k], n.elem, path.key(k), nil, errs)
			}
			return
		}
		if n.fields == nil {
			return
		}
		for _, k := range sortedKeys(v) {
			if skip[k] {
				continue
			}
			if child, ok := n.fields[k]; ok {
				check(v[k], child, path.child(k), nil, errs)
				continue
			}
			if isDefault(v[k], n.defaults[k]) {
				delete(v, k)
				continue
			}
			fe := &FieldError{Parent: path, Field: k, Unsupported: n.unsupported[k]}
			if !fe.Unsupported {
				fe.Suggestion = suggest(k, n.names)
			}
			*errs = append(*errs, fe)
		}
	case []any:
		if n.elem == nil || n.isMap {
			return
		}
		for i, e := range v {
			check(e, n.elem, path.index(i), nil, errs)
		}
	}
}

// isDefault: v is one of the accepted default values.
func isDefault(v any, defaults []any) bool {
	for _, d := range defaults {
		switch d := d.(type) {
		case map[string]any:
			if m, ok := v.(map[string]any); ok && len(m) == 0 && len(d) == 0 {
				return true
			}
		case json.Number:
			if f, ok := number(v); ok && f == 0 && d == "0" {
				return true
			}
		default:
			if v == any(d) {
				return true
			}
		}
	}
	return false
}

// number reads a JSON number from a decoded document or a Lua table.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known name nearest to name when it is close enough
// to be a typo (case differences, a transposition, a letter or two).
func suggest(name string, known []string) string {
	best, bestDist := "", 1<<30
	lower := strings.ToLower(name)
	for _, k := range known {
		d := distance(lower, strings.ToLower(k))
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := 1
	if len(name) >= 5 {
		limit = 2
	}
	if len(name) >= 12 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// distance is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and adjacent transpositions cost 1.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // no typo of a field name is that long
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
