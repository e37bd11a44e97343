package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// Patch content types: merge patch (kubectl label, annotate, scale),
// strategic merge patch (apply, patch, edit), apply patches
// (apply --server-side) and JSON patch (patch --type json) are served.
const (
	mergePatchType     = "application/merge-patch+json"
	jsonPatchType      = "application/json-patch+json"
	strategicPatchType = "application/strategic-merge-patch+json"
	applyPatchType     = "application/apply-patch+yaml"
)

func (s *Server) get(w http.ResponseWriter, r *http.Request, t target) {
	obj, err := s.eng.Get(r.Context(), t.kind.Resource, t.namespace, t.name)
	if err != nil {
		writeError(w, err)
		return
	}
	if wantsTable(r) {
		b, err := tableOf(t.kind.Resource, []api.Object{obj}, obj.GetObjectMeta().ResourceVersion, r.URL.Query().Get("includeObject"), true)
		if err != nil {
			writeError(w, err)
			return
		}
		writeTable(w, b)
		return
	}
	writeObject(w, http.StatusOK, obj)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, t target) {
	obj, dry, err := objectOf(w, r, t)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := s.eng.Create(r.Context(), obj, engine.CreateOptions{DryRun: dry})
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusCreated, out)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, t target) {
	obj, dry, err := objectOf(w, r, t)
	if err != nil {
		writeError(w, err)
		return
	}
	m := obj.GetObjectMeta()
	if m.Name != t.name {
		writeError(w, api.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.Name, t.name)))
		return
	}
	out, err := s.eng.Update(r.Context(), obj, engine.UpdateOptions{DryRun: dry})
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusOK, out)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, t target) {
	dry, err := dryRun(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	mt := mediaType(r)
	switch mt {
	case mergePatchType, strategicPatchType, applyPatchType, jsonPatchType:
	default:
		writeError(w, errUnsupportedMedia(mt, jsonPatchType, mergePatchType, strategicPatchType, applyPatchType))
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var out api.Object
	switch mt {
	case mergePatchType:
		out, err = s.eng.Patch(r.Context(), t.kind.Resource, t.namespace, t.name, body, engine.UpdateOptions{DryRun: dry})
	case strategicPatchType:
		strict := r.URL.Query().Get("fieldValidation") == "Strict"
		out, err = s.patchObject(r.Context(), t, strategicPatch(t.kind, body), patchHasResourceVersion(body), strict, dry)
	case jsonPatchType:
		var fn patchFunc
		if fn, err = jsonPatch(body); err == nil {
			out, err = s.patchObject(r.Context(), t, fn, false, false, dry)
		}
	case applyPatchType:
		s.applyOrCreate(w, r, t, body, dry)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusOK, out)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, t target) {
	opts, rv, err := deleteOptions(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if rv != "" {
		if err := s.checkResourceVersion(r, t, rv); err != nil {
			writeError(w, err)
			return
		}
	}
	out, err := s.eng.Delete(r.Context(), t.kind.Resource, t.namespace, t.name, opts)
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusOK, out)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, t target) {
	opts, err := listOptions(r.URL.Query(), t)
	if err != nil {
		writeError(w, err)
		return
	}
	if wantsTable(r) {
		s.streamTable(w, r, t, opts)
		return
	}
	b, ctype, err := s.encodeList(r, t, opts)
	if err != nil {
		writeError(w, err)
		return
	}
	writeBytes(w, http.StatusOK, ctype, b)
}

// encodeList lists and encodes the answer (a List of the kind) within a
// list slot; writing it to the client happens after, so that a slow
// reader does not hold the slot.
func (s *Server) encodeList(r *http.Request, t target, opts engine.ListOptions) ([]byte, string, error) {
	release, err := s.lists.take(r.Context())
	if err != nil {
		return nil, "", err
	}
	defer release()
	l, err := s.eng.List(r.Context(), t.kind.Resource, opts)
	if err != nil {
		return nil, "", err
	}
	out := wire.List{Kind: t.kind.Kind + "List", APIVersion: "v1",
		Metadata: wire.ListMeta{ResourceVersion: l.ResourceVersion}, Items: make([]json.RawMessage, len(l.Items))}
	for i, o := range l.Items {
		api.SetTypeMeta(o)
		b, err := json.Marshal(o)
		if err != nil {
			return nil, "", fmt.Errorf("encoding %s: %w", t.kind.Resource, err)
		}
		out.Items[i] = b
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, "", fmt.Errorf("encoding the response: %w", err)
	}
	return b, "application/json", nil
}

// writeObject writes an object with its apiVersion and kind.
func writeObject(w http.ResponseWriter, code int, obj api.Object) {
	if obj == nil {
		writeJSON(w, code, wire.Status{Kind: "Status", APIVersion: "v1", Status: wire.StatusSuccess, Code: int32(code)})
		return
	}
	api.SetTypeMeta(obj)
	writeJSON(w, code, obj)
}

// placeInNamespace checks a body's namespace against the path's, and
// fills it in when the body has none.
func placeInNamespace(obj api.Object, t target) error {
	m := obj.GetObjectMeta()
	if !t.kind.Namespaced {
		return nil
	}
	if m.Namespace == "" {
		m.Namespace = t.namespace
		return nil
	}
	if m.Namespace != t.namespace {
		return api.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	return nil
}

// listOptions reads labelSelector, fieldSelector and resourceVersion.
func listOptions(q url.Values, t target) (engine.ListOptions, error) {
	return engine.ListOptions{Namespace: t.namespace, LabelSelector: q.Get("labelSelector"),
		FieldSelector: q.Get("fieldSelector"), ResourceVersion: q.Get("resourceVersion")}, nil
}

// dryRun reads the dryRun parameter; "All" is the only value Kubernetes
// knows.
func dryRun(q url.Values) (bool, error) {
	return dryRunValues(q["dryRun"])
}

func dryRunValues(v []string) (bool, error) {
	for _, x := range v {
		if x != wire.DryRunAll {
			return false, api.NewBadRequest(fmt.Sprintf("dryRun: Unsupported value: %q: supported values: \"All\"", x))
		}
	}
	return len(v) > 0, nil
}

// deleteOptions reads DeleteOptions from the body (if any) and the query;
// it also returns the resourceVersion precondition, which the engine's
// DeleteOptions do not carry.
func deleteOptions(r *http.Request) (engine.DeleteOptions, string, error) {
	var d wire.DeleteOptions
	body, err := readBody(r)
	if err != nil {
		return engine.DeleteOptions{}, "", err
	}
	if len(body) > 0 {
		switch mt := mediaType(r); mt {
		case "", "application/json":
		case protobufType:
			if body, err = protobufBodyJSON(body, newDeleteOptionsMessage()); err != nil {
				return engine.DeleteOptions{}, "", err
			}
		default:
			return engine.DeleteOptions{}, "", errUnsupportedMedia(mt, "application/json", protobufType)
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return engine.DeleteOptions{}, "", api.NewBadRequest("DeleteOptions: " + err.Error())
		}
		if d.Kind != "" && d.Kind != "DeleteOptions" {
			return engine.DeleteOptions{}, "", api.NewBadRequest(fmt.Sprintf("the body of a delete must be DeleteOptions, not %s", d.Kind))
		}
	}
	if err := deleteQuery(r.URL.Query(), &d); err != nil {
		return engine.DeleteOptions{}, "", err
	}
	rv := ""
	if d.Preconditions != nil && d.Preconditions.ResourceVersion != nil {
		rv = *d.Preconditions.ResourceVersion
	}
	o, err := engineDelete(d)
	return o, rv, err
}

// checkResourceVersion is the resourceVersion precondition of a delete,
// with the apiserver's text. It is checked just before the delete, not
// atomically with it (the engine's Delete has no such precondition yet).
func (s *Server) checkResourceVersion(r *http.Request, t target, rv string) error {
	cur, err := s.eng.Get(r.Context(), t.kind.Resource, t.namespace, t.name)
	if err != nil {
		return err
	}
	if have := cur.GetObjectMeta().ResourceVersion; have != rv {
		return api.NewConflict(t.kind.Resource, t.name, "Precondition failed: ResourceVersion in precondition: "+rv+", ResourceVersion in object meta: "+have)
	}
	return nil
}

// deleteQuery lets query parameters set what the body did not.
func deleteQuery(q url.Values, d *wire.DeleteOptions) error {
	if v := q.Get("gracePeriodSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return api.NewBadRequest(fmt.Sprintf("gracePeriodSeconds: invalid value %q: %v", v, err))
		}
		d.GracePeriodSeconds = &n
	}
	if v := q.Get("propagationPolicy"); v != "" {
		d.PropagationPolicy = &v
	}
	if v := q.Get("preconditions.uid"); v != "" {
		if d.Preconditions == nil {
			d.Preconditions = &wire.Preconditions{}
		}
		d.Preconditions.UID = &v
	}
	if v := q.Get("preconditions.resourceVersion"); v != "" {
		if d.Preconditions == nil {
			d.Preconditions = &wire.Preconditions{}
		}
		d.Preconditions.ResourceVersion = &v
	}
	if v := q["dryRun"]; len(v) > 0 {
		d.DryRun = v
	}
	if v := q.Get("orphanDependents"); v != "" {
		b := v == "true"
		d.OrphanDependents = &b
	}
	return nil
}

// engineDelete validates wire DeleteOptions as the apiserver does.
func engineDelete(d wire.DeleteOptions) (engine.DeleteOptions, error) {
	var o engine.DeleteOptions
	var err error
	if o.DryRun, err = dryRunValues(d.DryRun); err != nil {
		return o, err
	}
	o.GracePeriodSeconds = d.GracePeriodSeconds
	if d.Preconditions != nil && d.Preconditions.UID != nil {
		o.PreconditionUID = *d.Preconditions.UID
	}
	if d.PropagationPolicy != nil {
		switch p := *d.PropagationPolicy; p {
		case engine.PropagationBackground, engine.PropagationForeground, engine.PropagationOrphan:
			o.PropagationPolicy = p
		default:
			return o, api.NewBadRequest(fmt.Sprintf("propagationPolicy: Unsupported value: %q: supported values: \"Foreground\", \"Background\", \"Orphan\"", p))
		}
	}
	if d.OrphanDependents != nil {
		if d.PropagationPolicy != nil {
			return o, api.NewBadRequest("orphanDependents and propagationPolicy cannot both be set")
		}
		if *d.OrphanDependents {
			o.PropagationPolicy = engine.PropagationOrphan
		}
	}
	return o, nil
}

// objectOf reads what a create or update sends: the object in the body,
// placed in the URL's namespace, and the dryRun parameter.
func objectOf(w http.ResponseWriter, r *http.Request, t target) (api.Object, bool, error) {
	dry, err := dryRun(r.URL.Query())
	if err != nil {
		return nil, false, err
	}
	obj, err := decodeObject(w, r, t.kind)
	if err != nil {
		return nil, false, err
	}
	return obj, dry, placeInNamespace(obj, t)
}

// podStatus serves pods/NAME/status (GET only: Min's node agents write
// pod status through the engine, not through the API).
func (s *Server) podStatus(w http.ResponseWriter, r *http.Request, t target) {
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed())
		return
	}
	s.get(w, r, t)
}

// deleteCollection is DELETE on a collection: every object the selectors
// match is deleted with the request's DeleteOptions; the answer lists
// them as they were returned by each delete.
func (s *Server) deleteCollection(w http.ResponseWriter, r *http.Request, t target) {
	opts, rv, err := deleteOptions(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if rv != "" {
		writeError(w, api.NewBadRequest("a resourceVersion precondition cannot apply to a collection"))
		return
	}
	lo, _ := listOptions(r.URL.Query(), t)
	l, err := s.eng.List(r.Context(), t.kind.Resource, lo)
	if err != nil {
		writeError(w, err)
		return
	}
	out := wire.List{Kind: t.kind.Kind + "List", APIVersion: "v1", Items: []json.RawMessage{}}
	for _, o := range l.Items {
		m := o.GetObjectMeta()
		d, err := s.eng.Delete(r.Context(), t.kind.Resource, m.Namespace, m.Name, opts)
		if errors.Is(err, api.ErrNotFound) {
			continue
		}
		if err != nil {
			writeError(w, err)
			return
		}
		if d == nil {
			d = o
		}
		api.SetTypeMeta(d)
		b, err := json.Marshal(d)
		if err != nil {
			writeError(w, fmt.Errorf("encoding %s: %w", t.kind.Resource, err))
			return
		}
		out.Items = append(out.Items, b)
	}
	writeJSON(w, http.StatusOK, out)
}
