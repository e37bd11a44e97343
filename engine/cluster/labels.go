package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/minspace/min/engine/api"
)

// MetaChange adds, changes and removes labels or annotations of one object,
// with kubectl's overwrite rule: changing an existing key to a different
// value needs Overwrite.
type MetaChange struct {
	Set       map[string]string
	Remove    []string
	Overwrite bool
	// ResourceVersion, when set, must match (kubectl --resource-version).
	ResourceVersion string
}

// MetaResult says what a label or annotate call did.
type MetaResult struct {
	Object  api.Object
	Changed bool
	// Missing lists removed keys that were not there (kubectl warns
	// `label "env" not found.`).
	Missing []string
}

// Label changes an object's labels (kubectl label).
func Label(ctx context.Context, c Interface, resource, namespace, name string, ch MetaChange) (MetaResult, error) {
	return changeMeta(ctx, c, resource, namespace, name, ch, labelsOf, labelOverwriteError)
}

// Annotate changes an object's annotations (kubectl annotate).
func Annotate(ctx context.Context, c Interface, resource, namespace, name string, ch MetaChange) (MetaResult, error) {
	return changeMeta(ctx, c, resource, namespace, name, ch, annotationsOf, annotationOverwriteError)
}

func labelsOf(m *api.ObjectMeta) *map[string]string      { return &m.Labels }
func annotationsOf(m *api.ObjectMeta) *map[string]string { return &m.Annotations }

// labelOverwriteError is kubectl label's text for the first clash.
func labelOverwriteError(clashes [][2]string) error {
	return api.NewBadRequest(fmt.Sprintf("'%s' already has a value (%s), and --overwrite is false", clashes[0][0], clashes[0][1]))
}

// annotationOverwriteError is kubectl annotate's text, every clash listed.
func annotationOverwriteError(clashes [][2]string) error {
	parts := make([]string, len(clashes))
	for i, c := range clashes {
		parts[i] = fmt.Sprintf("'%s' already has a value (%s)", c[0], c[1])
	}
	return api.NewBadRequest("--overwrite is false but found the following declared annotation(s): " + strings.Join(parts, "; "))
}

func changeMeta(ctx context.Context, c Interface, resource, namespace, name string, ch MetaChange,
	field func(*api.ObjectMeta) *map[string]string, clash func([][2]string) error) (MetaResult, error) {
	for {
		cur, err := c.Get(ctx, resource, namespace, name)
		if err != nil {
			return MetaResult{}, err
		}
		meta := cur.GetObjectMeta()
		if ch.ResourceVersion != "" && ch.ResourceVersion != meta.ResourceVersion {
			return MetaResult{}, api.NewConflict(resource, name, api.ConflictModified)
		}
		res, err := applyMetaChange(field(meta), ch, clash)
		if err != nil || !res.Changed {
			res.Object = cur
			return res, err
		}
		out, err := c.Update(ctx, cur, UpdateOptions{})
		if errors.Is(err, api.ErrConflict) && ch.ResourceVersion == "" {
			continue // someone else wrote in between: apply again on the new version
		}
		res.Object = out
		return res, err
	}
}

// applyMetaChange edits one map in place.
func applyMetaChange(m *map[string]string, ch MetaChange, clash func([][2]string) error) (MetaResult, error) {
	var res MetaResult
	var clashes [][2]string
	for _, k := range slices.Sorted(maps.Keys(ch.Set)) {
		if old, ok := (*m)[k]; ok && old != ch.Set[k] && !ch.Overwrite {
			clashes = append(clashes, [2]string{k, old})
		}
	}
	if len(clashes) > 0 {
		return res, clash(clashes)
	}
	for _, k := range slices.Sorted(maps.Keys(ch.Set)) {
		if old, ok := (*m)[k]; !ok || old != ch.Set[k] {
			if *m == nil {
				*m = map[string]string{}
			}
			(*m)[k] = ch.Set[k]
			res.Changed = true
		}
	}
	for _, k := range ch.Remove {
		if _, ok := (*m)[k]; !ok {
			res.Missing = append(res.Missing, k)
			continue
		}
		delete(*m, k)
		res.Changed = true
	}
	return res, nil
}
