package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
)

// scaleObject is autoscaling/v1 Scale, the view of a replication
// controller that `kubectl scale` reads and patches.
type scaleObject struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   api.ObjectMeta `json:"metadata"`
	Spec       scaleSpec      `json:"spec"`
	Status     scaleStatus    `json:"status"`
}

type scaleSpec struct {
	Replicas int32 `json:"replicas,omitempty"`
}

type scaleStatus struct {
	Replicas int32  `json:"replicas"`
	Selector string `json:"selector,omitempty"`
}

// scaleOf is the Scale of rc; its metadata is the controller's own.
func scaleOf(rc *api.ReplicationController) scaleObject {
	m := rc.ObjectMeta
	sc := scaleObject{Kind: "Scale", APIVersion: "autoscaling/v1",
		Metadata: api.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Status: scaleStatus{Replicas: rc.Status.Replicas, Selector: labels.FormatLabels(rc.Spec.Selector)}}
	sc.Spec.Replicas = 1
	if rc.Spec.Replicas != nil {
		sc.Spec.Replicas = *rc.Spec.Replicas
	}
	if len(rc.Spec.Selector) == 0 {
		sc.Status.Selector = ""
	}
	return sc
}

// scale serves replicationcontrollers/NAME/scale: GET, PUT of a Scale,
// and PATCH (merge, strategic or JSON patch) of it.
func (s *Server) scale(w http.ResponseWriter, r *http.Request, t target) {
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodPatch:
	default:
		writeError(w, errMethodNotAllowed())
		return
	}
	dry, err := dryRun(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	var body []byte
	if r.Method != http.MethodGet {
		if body, err = readBody(r); err != nil {
			writeError(w, err)
			return
		}
	}
	for i := 0; ; i++ {
		cur, err := s.eng.Get(r.Context(), t.kind.Resource, t.namespace, t.name)
		if err != nil {
			writeError(w, err)
			return
		}
		rc := cur.(*api.ReplicationController)
		sc := scaleOf(rc)
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusOK, sc)
			return
		}
		next, pinned, err := scaleChange(r, sc, body)
		if err != nil {
			writeError(w, err)
			return
		}
		rc.Spec.Replicas = &next.Spec.Replicas
		if pinned {
			rc.ResourceVersion = next.Metadata.ResourceVersion
		}
		out, err := s.eng.Update(r.Context(), rc, engine.UpdateOptions{DryRun: dry})
		if errors.Is(err, api.ErrConflict) && !pinned && i < maxPatchRetries {
			continue
		}
		if err != nil {
			writeError(w, scaleError(err, t.name))
			return
		}
		writeJSON(w, http.StatusOK, scaleOf(out.(*api.ReplicationController)))
		return
	}
}

// scaleChange applies a PUT or PATCH body to the current Scale; pinned
// reports a resourceVersion the client asked to match.
func scaleChange(r *http.Request, sc scaleObject, body []byte) (scaleObject, bool, error) {
	var out []byte
	cur, err := json.Marshal(sc)
	if err != nil {
		return sc, false, err
	}
	switch mt := mediaType(r); {
	case r.Method == http.MethodPut && mt == protobufType:
		if out, err = protobufBodyJSON(body, newScaleMessage()); err != nil {
			return sc, false, err
		}
	case r.Method == http.MethodPut:
		out = body
	case mt == mergePatchType:
		out, err = jsonpatch.MergePatch(cur, body)
	case mt == strategicPatchType:
		out, err = jsonpatch.MergePatch(cur, body) // a Scale has no lists: strategic = merge
	case mt == jsonPatchType:
		var p jsonpatch.Patch
		if p, err = jsonpatch.DecodePatch(body); err == nil {
			out, err = p.Apply(cur)
		}
	default:
		return sc, false, errUnsupportedMedia(mt, jsonPatchType, mergePatchType, strategicPatchType)
	}
	if err != nil {
		return sc, false, api.NewBadRequest(fmt.Sprintf("unable to apply the patch to the Scale: %v", err))
	}
	var next scaleObject
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&next); err != nil {
		return sc, false, api.NewBadRequest(fmt.Sprintf("Scale in version \"v1\" cannot be handled as a Scale: %v", err))
	}
	pinned := r.Method == http.MethodPut && next.Metadata.ResourceVersion != "" ||
		r.Method == http.MethodPatch && patchHasResourceVersion(body)
	if next.Metadata.Name != "" && next.Metadata.Name != sc.Metadata.Name {
		return sc, false, api.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", next.Metadata.Name, sc.Metadata.Name))
	}
	return next, pinned, nil
}

// scaleError renames an Invalid error about the controller's
// spec.replicas to the Scale's own, as the apiserver reports it.
func scaleError(err error, name string) error {
	var se *api.StatusError
	if errors.As(err, &se) && se.Reason == api.ReasonInvalid && se.Details != nil {
		c := *se
		d := *se.Details
		d.Kind = "Scale"
		c.Details = &d
		c.Message = fmt.Sprintf("Scale.autoscaling %q is invalid: %s", name, afterInvalid(se.Message))
		return &c
	}
	return err
}

// afterInvalid is the part of an Invalid message after "is invalid: ".
func afterInvalid(msg string) string {
	const sep = "is invalid: "
	if i := bytes.Index([]byte(msg), []byte(sep)); i >= 0 {
		return msg[i+len(sep):]
	}
	return msg
}
