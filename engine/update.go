package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/minspace/min/engine/api"
)

// Update implements Interface. Like a PUT to Kubernetes' main resource, it
// changes metadata and spec; status belongs to the engine's components
// (see updateStatus) and is kept as stored.
func (e *Engine) Update(ctx context.Context, obj api.Object, opts UpdateOptions) (api.Object, error) {
	kind, err := kindOf(obj)
	if err != nil {
		return nil, err
	}
	obj = obj.DeepCopyObject()
	meta := obj.GetObjectMeta()
	if kind.Namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	if !kind.Namespaced {
		meta.Namespace = ""
	}
	old, err := e.store.Get(kind.Resource, meta.Namespace, meta.Name)
	if err != nil {
		return nil, err
	}
	if meta.ResourceVersion != "" && meta.ResourceVersion != old.GetObjectMeta().ResourceVersion {
		return nil, api.NewConflict(kind.Resource, meta.Name, api.ConflictModified)
	}
	if err := prepareUpdate(kind, obj, old); err != nil {
		return nil, err
	}
	if opts.DryRun {
		return obj, nil
	}
	return e.store.Update(obj)
}

// prepareUpdate carries over what the user may not change, bumps the
// generation on a spec change and validates.
func prepareUpdate(kind api.Kind, obj, old api.Object) error {
	tm, meta, om := obj.GetTypeMeta(), obj.GetObjectMeta(), old.GetObjectMeta()
	tm.APIVersion, tm.Kind = "v1", kind.Kind
	if meta.UID == "" {
		meta.UID = om.UID
	}
	if meta.CreationTimestamp.IsZero() {
		meta.CreationTimestamp = om.CreationTimestamp
	}
	meta.DeletionTimestamp, meta.DeletionGracePeriodSeconds = om.DeletionTimestamp, om.DeletionGracePeriodSeconds
	keepStatus(obj, old)
	api.SetDefaults(obj)
	meta.Generation = om.Generation
	if om.Generation > 0 && !reflect.DeepEqual(specOf(obj), specOf(old)) {
		meta.Generation++
	}
	if errs := api.ValidateUpdate(obj, old); len(errs) > 0 {
		return api.InvalidError(obj, errs)
	}
	return nil
}

func keepStatus(obj, old api.Object) {
	switch o := obj.(type) {
	case *api.Pod:
		o.Status = old.(*api.Pod).Status
	case *api.ReplicationController:
		o.Status = old.(*api.ReplicationController).Status
	case *api.Namespace:
		o.Status = old.(*api.Namespace).Status
	case *api.Node:
		o.Status = old.(*api.Node).Status
	}
}

func specOf(obj api.Object) any {
	switch o := obj.(type) {
	case *api.Pod:
		return o.Spec
	case *api.ReplicationController:
		return o.Spec
	case *api.Namespace:
		return o.Spec
	case *api.Node:
		return o.Spec
	}
	return nil
}

// Patch implements Interface with a JSON merge patch, retried on conflicts
// with concurrent writers (the patch itself carries no resourceVersion
// unless the caller put one in it).
func (e *Engine) Patch(ctx context.Context, resource, namespace, name string, patch []byte, opts UpdateOptions) (api.Object, error) {
	var p any
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("invalid JSON merge patch: %v", err))
	}
	for {
		cur, err := e.Get(ctx, resource, namespace, name)
		if err != nil {
			return nil, err
		}
		next, err := applyMergePatch(cur, patch)
		if err != nil {
			return nil, err
		}
		if next.GetObjectMeta().ResourceVersion == "" {
			next.GetObjectMeta().ResourceVersion = cur.GetObjectMeta().ResourceVersion
		}
		out, err := e.Update(ctx, next, opts)
		if errors.Is(err, api.ErrConflict) && !patchHasVersion(p) {
			continue
		}
		return out, err
	}
}

func patchHasVersion(p any) bool {
	m, _ := p.(map[string]any)
	md, _ := m["metadata"].(map[string]any)
	_, ok := md["resourceVersion"]
	return ok
}

// applyMergePatch applies an RFC 7386 patch to obj as the Kubernetes API
// server does (evanphx/json-patch) and decodes the result into a fresh
// object of the same kind.
func applyMergePatch(obj api.Object, patch []byte) (api.Object, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	merged, err := jsonpatch.MergePatch(raw, patch)
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("invalid JSON merge patch: %v", err))
	}
	kind, _ := kindOf(obj)
	out := kind.New()
	if err := json.Unmarshal(merged, out); err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("the patched object is not a valid %s: %v", kind.Kind, err))
	}
	return out, nil
}

// updateStatus writes an object's status (and only its status) as the
// engine's own components do, retrying on conflicts.
func (e *Engine) updateStatus(resource, namespace, name string, set func(api.Object) bool) (api.Object, error) {
	return e.store.GuaranteedUpdate(resource, namespace, name, func(cur api.Object) (api.Object, error) {
		if !set(cur) {
			return nil, errUnchanged
		}
		return cur, nil
	})
}

// errUnchanged aborts a GuaranteedUpdate that has nothing to write.
var errUnchanged = errors.New("unchanged")
