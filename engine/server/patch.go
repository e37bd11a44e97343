package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// maxPatchRetries bounds how often a patch is recomputed when a
// concurrent write changed the object between its read and its update.
const maxPatchRetries = 8

// patchFunc computes the patched JSON of an object from its current JSON.
type patchFunc func(cur []byte) ([]byte, error)

// strategicPatch is kubectl apply's and kubectl patch's default:
// apimachinery's strategic merge patch over Min's api types, whose
// patchStrategy and patchMergeKey tags are Kubernetes' (containers merge by
// name, ports by containerPort), with the $setElementOrder, $patch and
// $retainKeys directives.
func strategicPatch(k api.Kind, patch []byte) patchFunc {
	return func(cur []byte) ([]byte, error) {
		out, err := strategicpatch.StrategicMergePatch(cur, patch, k.New())
		if err != nil {
			return nil, api.NewBadRequest(fmt.Sprintf("unable to apply the strategic merge patch: %v", err))
		}
		return out, nil
	}
}

// applyPatch approximates server-side apply (application/apply-patch+yaml):
// the applied configuration is merged into the live object with the
// strategic merge rules. Min keeps no managedFields, so fields dropped
// from a later configuration are not removed, and there are no field
// manager conflicts.
func applyPatch(k api.Kind, body []byte) (patchFunc, []byte, error) {
	js, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, nil, api.NewBadRequest(fmt.Sprintf("error decoding YAML: %v", err))
	}
	return strategicPatch(k, js), js, nil
}

// patchHasResourceVersion reports a metadata.resourceVersion in a patch,
// which makes it a precondition rather than something to retry around.
func patchHasResourceVersion(patch []byte) bool {
	var p struct {
		Metadata struct {
			ResourceVersion *string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	return json.Unmarshal(patch, &p) == nil && p.Metadata.ResourceVersion != nil
}

// patchObject reads the object, applies fn and writes the result with the
// read resourceVersion as precondition, retrying on a conflict unless
// the patch itself named a resourceVersion.
func (s *Server) patchObject(ctx context.Context, t target, fn patchFunc, pinned, strict, dry bool) (api.Object, error) {
	for i := 0; ; i++ {
		cur, err := s.eng.Get(ctx, t.kind.Resource, t.namespace, t.name)
		if err != nil {
			return nil, err
		}
		api.SetTypeMeta(cur)
		b, err := json.Marshal(cur)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %q: %w", t.kind.Resource, t.name, err)
		}
		out, err := fn(b)
		if err != nil {
			return nil, err
		}
		next, err := decodePatched(t.kind, out, strict)
		if err != nil {
			return nil, err
		}
		m := next.GetObjectMeta()
		if m.ResourceVersion == "" {
			m.ResourceVersion = cur.GetObjectMeta().ResourceVersion
		}
		if m.Name != t.name || t.kind.Namespaced && m.Namespace != t.namespace {
			return nil, api.NewBadRequest("metadata.name and metadata.namespace cannot be changed by a patch")
		}
		res, err := s.eng.Update(ctx, next, engine.UpdateOptions{DryRun: dry})
		if errors.Is(err, api.ErrConflict) && !pinned && i < maxPatchRetries {
			continue
		}
		return res, err
	}
}

// decodePatched decodes a patched object, refusing unknown fields when the
// request asked fieldValidation=Strict.
func decodePatched(k api.Kind, b []byte, strict bool) (api.Object, error) {
	obj := k.New()
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(obj); err != nil {
		return nil, strictError(k, b, err)
	}
	return obj, nil
}

// patchOrCreate is server-side apply's create-when-absent: an apply to a
// missing object creates it from the applied configuration.
func (s *Server) applyOrCreate(w http.ResponseWriter, r *http.Request, t target, body []byte, dry bool) {
	fn, js, err := applyPatch(t.kind, body)
	if err != nil {
		writeError(w, err)
		return
	}
	strict := r.URL.Query().Get("fieldValidation") == "Strict"
	out, err := s.patchObject(r.Context(), t, fn, patchHasResourceVersion(js), strict, dry)
	if errors.Is(err, api.ErrNotFound) {
		obj, derr := decodePatched(t.kind, js, strict)
		if derr != nil {
			writeError(w, derr)
			return
		}
		if err := placeInNamespace(obj, t); err != nil {
			writeError(w, err)
			return
		}
		if obj.GetObjectMeta().Name != t.name {
			writeError(w, api.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", obj.GetObjectMeta().Name, t.name)))
			return
		}
		created, err := s.eng.Create(r.Context(), obj, engine.CreateOptions{DryRun: dry})
		if err != nil {
			writeError(w, err)
			return
		}
		writeObject(w, http.StatusCreated, created)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusOK, out)
}

// strictText words encoding/json's unknown-field error as the apiserver's
// strict decoding error.
func strictText(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "strict decoding error: unknown field " + rest
	}
	return msg
}

// jsonPatch is RFC 6902 (kubectl patch --type json), with the library
// apimachinery itself uses.
func jsonPatch(body []byte) (patchFunc, error) {
	p, err := jsonpatch.DecodePatch(body)
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("the JSON patch could not be decoded: %v", err))
	}
	return func(cur []byte) ([]byte, error) {
		out, err := p.Apply(cur)
		if err != nil {
			return nil, wire.NewStatusError(http.StatusUnprocessableEntity, api.ReasonInvalid, err.Error())
		}
		return out, nil
	}, nil
}
