package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine/api"
)

// Options tune a Decoder; the zero value is what `kubectl create -f`
// needs.
type Options struct {
	// KeepStatus decodes status (strictly) instead of dropping it, for
	// callers that round-trip stored objects rather than create them.
	KeepStatus bool
}

// Decoder turns manifests into api objects.
type Decoder struct {
	opts Options
}

// NewDecoder returns a Decoder with opts.
func NewDecoder(opts Options) *Decoder { return &Decoder{opts: opts} }

// Decode decodes every object of a YAML or JSON manifest with the default
// options. See Decoder.Decode.
func Decode(data []byte) ([]api.Object, error) { return NewDecoder(Options{}).Decode(data) }

// DecodeObject decodes one object with the default options. See
// Decoder.DecodeObject.
func DecodeObject(kind string, in any) (api.Object, error) {
	return NewDecoder(Options{}).DecodeObject(kind, in)
}

// Item is one object of a manifest, or why it could not be decoded.
type Item struct {
	Object api.Object
	Doc    int // the document it came from, counted from 0
	Err    error
}

// Decode decodes every object of data: YAML documents separated by `---`
// lines or a stream of JSON objects; empty and null documents are
// skipped, `kind: List` is flattened. Objects that decode are returned in
// order even when others fail; the error then joins one error per failed
// object (see DecodeEach to keep them interleaved).
func (d *Decoder) Decode(data []byte) ([]api.Object, error) {
	var objs []api.Object
	var errs []error
	for _, it := range d.DecodeEach(data) {
		if it.Err != nil {
			errs = append(errs, it.Err)
			continue
		}
		objs = append(objs, it.Object)
	}
	return objs, errors.Join(errs...)
}

// DecodeEach is Decode keeping successes and failures in manifest order,
// as `kubectl create -f` reports them.
func (d *Decoder) DecodeEach(data []byte) []Item {
	docs, err := documents(data)
	var items []Item
	for i, doc := range docs {
		m, raw, err := parseDocument(doc)
		switch {
		case err != nil:
			items = append(items, Item{Doc: i, Err: err})
		case m != nil:
			items = d.decodeMap(m, raw, i, items)
		}
	}
	if err != nil {
		items = append(items, Item{Doc: len(docs), Err: err})
	}
	return items
}

// DecodeObject decodes exactly one object from in: a map[string]any (a
// Lua table converted by the bindings, holding JSON-like values: string,
// float64 or integers, bool, nil, []any, map[string]any; DecodeObject may
// change it), JSON or YAML bytes or string.
// When kind is set, in may leave out kind and apiVersion; a different
// kind is an error.
func (d *Decoder) DecodeObject(kind string, in any) (api.Object, error) {
	var m map[string]any
	var raw []byte
	var err error
	switch v := in.(type) {
	case map[string]any:
		m = v // decoded as it is, without a JSON round trip
	case []byte:
		m, raw, err = parseOne(v)
	case string:
		m, raw, err = parseOne([]byte(v))
	default:
		return nil, &SyntaxError{Err: fmt.Errorf("cannot decode a manifest from %T", in)}
	}
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, &SyntaxError{Err: errors.New("empty manifest")}
	}
	if kind != "" {
		if m["kind"] == nil || m["kind"] == "" {
			m["kind"], raw = kind, nil
		}
		if m["apiVersion"] == nil || m["apiVersion"] == "" {
			m["apiVersion"], raw = "v1", nil
		}
		if k, _ := m["kind"].(string); k != kind {
			return nil, &KindMismatchError{Want: kind, Got: k}
		}
	}
	_, fromTable := in.(map[string]any)
	items := d.decodeMapFrom(m, raw, 0, nil, fromTable)
	if len(items) != 1 {
		return nil, &SyntaxError{Err: fmt.Errorf("expected one object, found %d", len(items))}
	}
	return items[0].Object, items[0].Err
}

// parseOne parses bytes holding a single document.
func parseOne(data []byte) (map[string]any, []byte, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, nil, err
	}
	var found map[string]any
	var raw []byte
	for _, doc := range docs {
		m, r, err := parseDocument(doc)
		if err != nil {
			return nil, nil, err
		}
		if m == nil {
			continue
		}
		if found != nil {
			return nil, nil, &SyntaxError{Err: errors.New("expected one object, found several documents")}
		}
		found, raw = m, r
	}
	return found, raw, nil
}

// documents splits data into YAML documents, or into the values of a JSON
// stream when it starts with '{' and parses as JSON.
func documents(data []byte) ([][]byte, error) {
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		if docs, ok := jsonDocuments(trimmed); ok {
			return docs, nil
		}
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return docs, &SyntaxError{Err: err}
		}
		docs = append(docs, doc)
	}
}

func jsonDocuments(data []byte) ([][]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var docs [][]byte
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return docs, true
		} else if err != nil {
			return nil, false
		}
		docs = append(docs, raw)
	}
}

// parseDocument converts one YAML or JSON document to JSON and a generic
// map. An empty or null document gives a nil map and no error.
func parseDocument(doc []byte) (map[string]any, []byte, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, nil, nil
	}
	// JSON needs no YAML conversion (the common case for Lua tables and
	// API requests); a YAML flow mapping that is not JSON falls through.
	if v, ok := parseJSON(doc); ok {
		return objectOf(v, bytes.TrimSpace(doc))
	}
	raw, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, nil, &SyntaxError{Err: fmt.Errorf("error converting YAML to JSON: %w", err)}
	}
	v, ok := parseJSON(raw)
	if !ok {
		return nil, nil, &SyntaxError{Err: errors.New("YAML converted to invalid JSON")}
	}
	return objectOf(v, raw)
}

// parseJSON decodes one JSON value, numbers kept exact, nothing after it.
func parseJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// objectOf accepts v as a manifest object: null is no object, anything
// but an object is an error.
func objectOf(v any, raw []byte) (map[string]any, []byte, error) {
	if v == nil {
		return nil, nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, &SyntaxError{Err: fmt.Errorf("a manifest must be an object, found %s", jsonType(v))}
	}
	return m, raw, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// decodeMap decodes the object m (raw is its JSON, or nil to marshal m)
// and appends it, or each item of a List, to items.
func (d *Decoder) decodeMap(m map[string]any, raw []byte, doc int, items []Item) []Item {
	return d.decodeMapFrom(m, raw, doc, items, false)
}

// decodeMapFrom is decodeMap; fromTable says m came from a Lua table,
// where an empty table may stand for an empty list.
func (d *Decoder) decodeMapFrom(m map[string]any, raw []byte, doc int, items []Item, fromTable bool) []Item {
	if raw == nil {
		var err error
		if raw, err = json.Marshal(m); err != nil {
			return append(items, Item{Doc: doc, Err: &SyntaxError{Err: err}})
		}
	}
	kind, kindOK := m["kind"].(string)
	version, versionOK := m["apiVersion"].(string)
	switch {
	case !kindOK || kind == "":
		return append(items, Item{Doc: doc, Err: &MissingFieldError{Field: "Kind", JSON: string(raw)}})
	case !versionOK || version == "":
		return append(items, Item{Doc: doc, Err: &MissingFieldError{Field: "apiVersion", JSON: string(raw)}})
	case kind == "List" && version == "v1":
		return d.decodeList(m, kind, version, "", doc, items)
	}
	if itemKind, isList := strings.CutSuffix(kind, "List"); isList && version == "v1" {
		if _, ok := api.KindByName(itemKind); ok {
			return d.decodeList(m, kind, version, itemKind, doc, items)
		}
	}
	k, ok := api.KindByName(kind)
	if !ok || version != "v1" {
		return append(items, Item{Doc: doc, Err: &NoKindMatchError{Kind: kind, Version: version}})
	}
	if fromTable && emptyTablesToLists(m, schemas()[k.Kind]) {
		raw = nil
	}
	obj, err := d.decodeTyped(k, m, raw)
	if err != nil {
		return append(items, Item{Doc: doc, Err: &DecodeError{Kind: kind, Version: version, Err: err}})
	}
	return append(items, Item{Object: obj, Doc: doc})
}

// decodeList flattens a List, or a typed list (PodList…) whose items
// may leave out their kind and apiVersion, as the API server returns them.
func (d *Decoder) decodeList(m map[string]any, kind, version, itemKind string, doc int, items []Item) []Item {
	var errs FieldErrors
	for _, k := range sortedKeys(m) {
		switch k {
		case "apiVersion", "kind", "items":
		case "metadata":
			check(m[k], listMetaSchema, Path{}.child(k), nil, &errs)
		default:
			errs = append(errs, &FieldError{Field: k, Suggestion: suggest(k, []string{"apiVersion", "items", "kind", "metadata"})})
		}
	}
	if len(errs) > 0 {
		return append(items, Item{Doc: doc, Err: &DecodeError{Kind: kind, Version: version, Err: errs}})
	}
	list, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		err := fmt.Errorf("items must be a list, found %s", jsonType(m["items"]))
		return append(items, Item{Doc: doc, Err: &DecodeError{Kind: kind, Version: version, Err: err}})
	}
	for _, it := range list {
		im, ok := it.(map[string]any)
		if !ok {
			err := fmt.Errorf("items must be objects, found %s", jsonType(it))
			items = append(items, Item{Doc: doc, Err: &DecodeError{Kind: kind, Version: version, Err: err}})
			continue
		}
		if itemKind != "" {
			if im["kind"] == nil {
				im["kind"] = itemKind
			}
			if im["apiVersion"] == nil {
				im["apiVersion"] = "v1"
			}
		}
		items = d.decodeMap(im, nil, doc, items)
	}
	return items
}

// listMetaSchema: a List's metadata holds resourceVersion (and, from
// kubectl, continue and remainingItemCount, all ignored).
var listMetaSchema = &node{
	fields: map[string]*node{"resourceVersion": nil, "continue": nil, "remainingItemCount": nil, "selfLink": nil},
	names:  []string{"continue", "remainingItemCount", "resourceVersion", "selfLink"},
}

// decodeTyped checks m strictly against k's schema (and its quantities'
// range), then decodes raw, or m itself when raw is nil or status is
// dropped.
func (d *Decoder) decodeTyped(k api.Kind, m map[string]any, raw []byte) (api.Object, error) {
	schema := schemas()[k.Kind]
	_, hasStatus := m["status"]
	dropStatus := hasStatus && !d.opts.KeepStatus
	var errs FieldErrors
	check(m, schema, nil, map[string]bool{"status": dropStatus}, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	if dropStatus {
		delete(m, "status")
		raw = nil
	}
	if err := checkQuantities(m, schema, nil); err != nil {
		return nil, err
	}
	if raw == nil {
		var err error
		if raw, err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	obj := k.New()
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, withTypePath(err, m)
	}
	return obj, nil
}

// emptyTablesToLists replaces, in place, every empty object found where
// the schema wants a list by an empty list: Lua has one table type, so an
// empty `{}` may mean either. It reports whether it changed anything.
func emptyTablesToLists(v any, n *node) bool {
	if n == nil {
		return false
	}
	changed := false
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			child := n.elem
			if !n.isMap {
				child = n.fields[k]
			}
			if m, ok := e.(map[string]any); ok && len(m) == 0 && child != nil && child.elem != nil && !child.isMap {
				v[k] = []any{}
				changed = true
				continue
			}
			changed = emptyTablesToLists(e, child) || changed
		}
	case []any:
		for _, e := range v {
			changed = emptyTablesToLists(e, n.elem) || changed
		}
	}
	return changed
}

// DecodeError is Kubernetes' wrapper for an object whose content cannot
// be decoded: `Pod in version "v1" cannot be handled as a Pod: <Err>`.
// It matches api.ErrBadRequest, as the server answers 400.
type DecodeError struct {
	Kind, Version string
	Err           error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", e.Kind, e.Version, e.Kind, e.Err)
}

// Unwrap returns the cause (a FieldErrors, a json or quantity error).
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches api.ErrBadRequest.
func (e *DecodeError) Is(target error) bool { return target == api.ErrBadRequest }

// MissingFieldError: `Object 'Kind' is missing in '<json>'` (Field is
// "Kind" or "apiVersion", as apimachinery spells them).
type MissingFieldError struct {
	Field string
	JSON  string
}

func (e *MissingFieldError) Error() string {
	return fmt.Sprintf("Object '%s' is missing in '%s'", e.Field, e.JSON)
}

// NoKindMatchError: `no matches for kind "Foo" in version "v1"`.
type NoKindMatchError struct {
	Kind, Version string
}

func (e *NoKindMatchError) Error() string {
	return fmt.Sprintf("no matches for kind %q in version %q", e.Kind, e.Version)
}

// KindMismatchError: DecodeObject was asked for one kind and got another.
type KindMismatchError struct {
	Want, Got string
}

func (e *KindMismatchError) Error() string {
	return fmt.Sprintf("expected kind %q, found kind %q", e.Want, e.Got)
}

// SyntaxError is a document that is not valid YAML or JSON, or not an
// object; callers prefix it kubectl's way (`error parsing pod.yaml: `).
type SyntaxError struct {
	Err error
}

func (e *SyntaxError) Error() string { return strings.TrimSpace(e.Err.Error()) }

// Unwrap returns the parser's error.
func (e *SyntaxError) Unwrap() error { return e.Err }
