package bindings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/manifest"
)

// raiseDecode reports a manifest file's decoding errors kubectl's way
// (`error parsing kubia.yaml: ...`), with Lua's 1-based indices for
// unknown fields.
func (s *State) raiseDecode(L *lua.LState, err error, source string) {
	var fe manifest.FieldErrors
	msg := err.Error()
	if errors.As(err, &fe) {
		msg = fe.Local(1)
	}
	var syn *manifest.SyntaxError
	if errors.As(err, &syn) {
		msg = "error parsing " + source + ": " + msg
	}
	s.raise(L, api.ReasonBadRequest, "%s", msg)
}

func (s *State) manifestModule() module {
	return module{name: "manifest", doc: "Kubernetes manifests (YAML or JSON, multi-document, kind: List).", funcs: []function{
		{"load", "(path_or_string)", "Decodes the manifests of a file (or of a YAML/JSON string) strictly and returns the object tables without creating them.", s.manifestLoad},
		{"create", "(path | table | {tables...}, {namespace=})", "Creates the objects, like kubectl create -f, and returns them. Every object is tried; failures raise one error at the end.", s.manifestApplyFn(false)},
		{"apply", "(path | table | {tables...}, {namespace=})", "Creates the objects that do not exist and updates the others; returns them.", s.manifestApplyFn(true)},
		{"dump", "(obj, \"yaml\" | \"json\")", "Returns the object as YAML (the default) or JSON.", s.manifestDump},
	}}
}

// readManifest returns the manifest text of a path or a literal string.
func (s *State) readManifest(L *lua.LState, arg string) ([]byte, string) {
	if strings.ContainsAny(arg, "\n{:") && !fileExists(arg) {
		return []byte(arg), "<string>"
	}
	path := arg
	if !filepath.IsAbs(path) && !fileExists(path) && s.opts.ScriptDir != "" {
		if p := filepath.Join(s.opts.ScriptDir, path); fileExists(p) {
			path = p
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		s.raise(L, api.ReasonNotFound, "%v", err)
	}
	return b, arg
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// objectsArg reads a path, a manifest string, one object table or a list
// of object tables into API objects.
func (s *State) objectsArg(L *lua.LState, fn string) ([]api.Object, string) {
	switch v := L.Get(1).(type) {
	case lua.LString:
		data, source := s.readManifest(L, string(v))
		objs, err := manifest.Decode(data)
		if err != nil {
			s.raiseDecode(L, err, source)
		}
		return objs, source
	case *lua.LTable:
		if lazyOf(v) != nil || v.RawGetString("kind") != lua.LNil || v.RawGetString("metadata") != lua.LNil {
			return []api.Object{s.tableObject(L, v, fn)}, ""
		}
		var objs []api.Object
		for i := 1; i <= v.Len(); i++ {
			t, ok := v.RawGetInt(i).(*lua.LTable)
			if !ok {
				s.argError(L, 1, fn, fmt.Sprintf("item %d is not a table", i))
			}
			objs = append(objs, s.tableObject(L, t, fn))
		}
		return objs, ""
	}
	s.argError(L, 1, fn, "path, manifest string or object table expected, got "+L.Get(1).Type().String())
	return nil, ""
}

// tableObject decodes a table that names its kind.
func (s *State) tableObject(L *lua.LState, t *lua.LTable, fn string) api.Object {
	k, ok := api.KindFor(fieldStr(t, "kind"))
	if !ok {
		s.raise(L, api.ReasonBadRequest, "%s: no matches for kind %q in version %q", fn, fieldStr(t, "kind"), fieldStr(t, "apiVersion"))
	}
	return s.toObject(L, t, k, fn)
}

func (s *State) manifestLoad(L *lua.LState) int {
	objs, _ := s.objectsArg(L, "manifest.load")
	L.Push(s.pushList(L, objs))
	return 1
}

// manifestApplyFn is manifest.create (update=false) and manifest.apply.
func (s *State) manifestApplyFn(update bool) lua.LGFunction {
	fn := "manifest.create"
	if update {
		fn = "manifest.apply"
	}
	return func(L *lua.LState) int {
		objs, source := s.objectsArg(L, fn)
		o := s.options(L, 2, fn, "namespace")
		out := L.CreateTable(len(objs), 0)
		var failures []string
		var firstErr error
		for _, obj := range objs {
			res, err := s.createOrUpdate(L, obj, o.str("namespace"), update)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				failures = append(failures, creationError(err, source))
				continue
			}
			out.Append(s.push(L, res))
		}
		if firstErr != nil {
			s.raise(L, reasonOr(firstErr), "%s", strings.Join(failures, "\n"))
		}
		L.Push(out)
		return 1
	}
}

// creationError prefixes kubectl's `error when creating "file": `, except
// for Invalid errors which kubectl prints bare.
func creationError(err error, source string) string {
	if source == "" || errors.Is(err, api.ErrInvalid) {
		return err.Error()
	}
	return fmt.Sprintf("error when creating %q: %v", source, err)
}

func reasonOr(err error) string {
	if r := api.ReasonOf(err); r != "" {
		return r
	}
	return reasonInternal
}

func (s *State) createOrUpdate(L *lua.LState, obj api.Object, ns string, update bool) (api.Object, error) {
	k := s.kindOf[reflect.TypeOf(obj)]
	meta := obj.GetObjectMeta()
	if k.Namespaced && meta.Namespace == "" {
		meta.Namespace = ns
		if meta.Namespace == "" {
			meta.Namespace = s.ns
		}
	}
	eng, ctx := s.api(L), ctxOf(L)
	if update && meta.Name != "" {
		// The manifest wins over what changed since the read, as with
		// kubectl apply: a write in between (a node agent's status update)
		// makes the Update a Conflict, and apply reads the version again.
		for attempt := 1; ; attempt++ {
			cur, err := eng.Get(ctx, k.Resource, meta.Namespace, meta.Name)
			if errors.Is(err, api.ErrNotFound) {
				break
			}
			if err != nil {
				return nil, err
			}
			meta.ResourceVersion = cur.GetObjectMeta().ResourceVersion
			meta.UID = cur.GetObjectMeta().UID
			out, err := eng.Update(ctx, obj, cluster.UpdateOptions{})
			if !errors.Is(err, api.ErrConflict) || attempt == applyAttempts {
				return out, err
			}
		}
	}
	return eng.Create(ctx, obj, cluster.CreateOptions{})
}

// applyAttempts bounds manifest.apply's reads and updates of one object
// that keeps changing under it.
const applyAttempts = 5

func (s *State) manifestDump(L *lua.LState) int {
	format := L.OptString(2, "yaml")
	L.Push(lua.LString(s.dump(L, L.CheckTable(1), format, "manifest.dump")))
	return 1
}

// dumpAs is the :yaml() and :json() method.
func (s *State) dumpAs(format string) lua.LGFunction {
	return func(L *lua.LState) int {
		L.Push(lua.LString(s.dump(L, L.CheckTable(1), format, ":"+format)))
		return 1
	}
}

// dump renders an object table as YAML or indented JSON.
func (s *State) dump(L *lua.LState, t *lua.LTable, format, fn string) string {
	data, err := encodeJSON(t, jsonOptions{sortKeys: true})
	if err != nil {
		s.raise(L, reasonBadRequest, "%s: %v", fn, err)
	}
	switch format {
	case "json":
		var b bytes.Buffer
		json.Indent(&b, data, "", "  ")
		return b.String() + "\n"
	case "yaml":
		y, err := yaml.JSONToYAML(data)
		if err != nil {
			s.raise(L, reasonBadRequest, "%s: %v", fn, err)
		}
		return string(y)
	}
	s.raise(L, reasonBadRequest, "%s: format must be \"yaml\" or \"json\", got %q", fn, format)
	return ""
}
