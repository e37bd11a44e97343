package bindings

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// planner is the engine of a dry run: an cluster.Interface that records
// mutations in an overlay instead of applying them, so that reads see the
// planned state, and writes one plan line per mutation. Validation and
// defaults still come from the real engine (its DryRun options).
type planner struct {
	base cluster.Interface

	mu      sync.Mutex
	overlay map[string]api.Object // resource/ns/name -> planned object; nil = deleted
	lines   []string
	serial  int
}

func newPlanner(base cluster.Interface) *planner {
	return &planner{base: base, overlay: map[string]api.Object{}}
}

var _ cluster.Interface = (*planner)(nil)

// Lines returns the plan so far.
func (p *planner) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

func (p *planner) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, line)
}

func planKey(resource, ns, name string) string { return resource + "/" + ns + "/" + name }

func planID(obj api.Object) string {
	k, _ := api.KindFor(obj.GetTypeMeta().Kind)
	m := obj.GetObjectMeta()
	if m.Namespace == "" {
		return k.Singular + "/" + m.Name
	}
	return k.Singular + "/" + m.Namespace + "/" + m.Name
}

// planned looks up the overlay: (obj, true) when the overlay decides.
func (p *planner) planned(resource, ns, name string) (api.Object, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	obj, ok := p.overlay[planKey(resource, ns, name)]
	return obj, ok
}

func (p *planner) Create(ctx context.Context, obj api.Object, opts cluster.CreateOptions) (api.Object, error) {
	out, err := p.base.Create(ctx, obj, cluster.CreateOptions{DryRun: true})
	if err != nil {
		return nil, err
	}
	k, _ := api.KindFor(out.GetTypeMeta().Kind)
	m := out.GetObjectMeta()
	if _, err := p.Get(ctx, k.Resource, m.Namespace, m.Name); err == nil {
		return nil, api.NewAlreadyExists(k.Resource, m.Name)
	}
	p.mu.Lock()
	p.serial++
	if m.UID == "" {
		m.UID = fmt.Sprintf("dry-run-%d", p.serial)
	}
	m.ResourceVersion = "dry-run-" + strconv.Itoa(p.serial)
	p.overlay[planKey(k.Resource, m.Namespace, m.Name)] = out.DeepCopyObject()
	p.lines = append(p.lines, "+ "+planID(out))
	p.mu.Unlock()
	return out, nil
}

func (p *planner) Get(ctx context.Context, resource, ns, name string) (api.Object, error) {
	k, _ := api.KindFor(resource)
	if !k.Namespaced {
		ns = ""
	}
	if obj, ok := p.planned(k.Resource, ns, name); ok {
		if obj == nil {
			return nil, api.NewNotFound(k.Resource, name)
		}
		return obj.DeepCopyObject(), nil
	}
	return p.base.Get(ctx, resource, ns, name)
}

func (p *planner) List(ctx context.Context, resource string, opts cluster.ListOptions) (*cluster.List, error) {
	list, err := p.base.List(ctx, resource, opts)
	if err != nil {
		return nil, err
	}
	k, _ := api.KindFor(resource)
	sel, err := labels.Parse(opts.LabelSelector)
	if err != nil {
		return nil, api.NewBadRequest(err.Error())
	}
	fsel, err := fields.ParseSelector(opts.FieldSelector)
	if err != nil {
		return nil, api.NewBadRequest(err.Error())
	}
	byKey := map[string]api.Object{}
	for _, o := range list.Items {
		m := o.GetObjectMeta()
		byKey[planKey(k.Resource, m.Namespace, m.Name)] = o
	}
	p.mu.Lock()
	for key, o := range p.overlay {
		if !strings.HasPrefix(key, k.Resource+"/") {
			continue
		}
		if o == nil {
			delete(byKey, key)
			continue
		}
		m := o.GetObjectMeta()
		if (opts.Namespace == "" || m.Namespace == opts.Namespace) && sel.Matches(labels.Set(m.Labels)) && fsel.Matches(objectFields(o)) {
			byKey[key] = o.DeepCopyObject()
		} else {
			delete(byKey, key)
		}
	}
	p.mu.Unlock()
	keys := make([]string, 0, len(byKey))
	for key := range byKey {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := &cluster.List{ResourceVersion: list.ResourceVersion}
	for _, key := range keys {
		out.Items = append(out.Items, byKey[key])
	}
	return out, nil
}

// objectFields are the field-selector fields of an object.
func objectFields(o api.Object) fields.Set {
	m := o.GetObjectMeta()
	f := fields.Set{"metadata.name": m.Name, "metadata.namespace": m.Namespace}
	if pod, ok := o.(*api.Pod); ok {
		f["spec.nodeName"] = pod.Spec.NodeName
		f["status.phase"] = pod.Status.Phase
	}
	return f
}

func (p *planner) Update(ctx context.Context, obj api.Object, opts cluster.UpdateOptions) (api.Object, error) {
	k, _ := api.KindFor(obj.GetTypeMeta().Kind)
	if k.Kind == "" {
		for _, kk := range api.Kinds {
			if fmt.Sprintf("%T", kk.New()) == fmt.Sprintf("%T", obj) {
				k = kk
			}
		}
	}
	m := obj.GetObjectMeta()
	old, err := p.Get(ctx, k.Resource, m.Namespace, m.Name)
	if err != nil {
		return nil, err
	}
	out := obj.DeepCopyObject()
	out.GetTypeMeta().Kind, out.GetTypeMeta().APIVersion = k.Kind, "v1"
	if _, planned := p.planned(k.Resource, m.Namespace, m.Name); !planned {
		checked, err := p.base.Update(ctx, obj, cluster.UpdateOptions{DryRun: true})
		if err != nil {
			return nil, err
		}
		out = checked
	}
	p.record(k, old, out)
	return out, nil
}

// record puts the planned new version of an object in the overlay and
// writes one plan line per changed field.
func (p *planner) record(k api.Kind, old, out api.Object) {
	m := out.GetObjectMeta()
	diff := diffObjects(old, out)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.overlay[planKey(k.Resource, m.Namespace, m.Name)] = out.DeepCopyObject()
	for _, d := range diff {
		p.lines = append(p.lines, "~ "+planID(out)+" "+d)
	}
}

func (p *planner) Patch(ctx context.Context, resource, ns, name string, patch []byte, opts cluster.UpdateOptions) (api.Object, error) {
	cur, err := p.Get(ctx, resource, ns, name)
	if err != nil {
		return nil, err
	}
	k, _ := api.KindFor(resource)
	if _, planned := p.planned(k.Resource, cur.GetObjectMeta().Namespace, name); !planned {
		// The engine merges and validates in one step, so a status write
		// by the node agent in between cannot make the patch conflict.
		out, err := p.base.Patch(ctx, resource, ns, name, patch, cluster.UpdateOptions{DryRun: true})
		if err != nil {
			return nil, err
		}
		p.record(k, cur, out)
		return out, nil
	}
	doc, _ := json.Marshal(cur)
	merged, err := jsonpatch.MergePatch(doc, patch) // as the engine merges
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("invalid JSON merge patch: %v", err))
	}
	obj := k.New()
	if err := json.Unmarshal(merged, obj); err != nil {
		return nil, api.NewBadRequest(err.Error())
	}
	if rv := cur.GetObjectMeta().ResourceVersion; rv != "" {
		obj.GetObjectMeta().ResourceVersion = rv
	}
	return p.Update(ctx, obj, opts)
}

func (p *planner) Delete(ctx context.Context, resource, ns, name string, opts cluster.DeleteOptions) (api.Object, error) {
	obj, err := p.Get(ctx, resource, ns, name)
	if err != nil {
		return nil, err
	}
	k, _ := api.KindFor(resource)
	m := obj.GetObjectMeta()
	p.mu.Lock()
	p.overlay[planKey(k.Resource, m.Namespace, m.Name)] = nil
	p.lines = append(p.lines, "- "+planID(obj))
	p.mu.Unlock()
	return obj, nil
}

func (p *planner) Watch(ctx context.Context, resource string, opts cluster.ListOptions) (<-chan cluster.Event, error) {
	return p.base.Watch(ctx, resource, opts)
}

func (p *planner) Logs(ctx context.Context, ns, pod string, opts cluster.LogOptions, w io.Writer) error {
	if _, planned := p.planned("pods", ns, pod); planned {
		return nil // a planned pod has no log yet
	}
	return p.base.Logs(ctx, ns, pod, opts, w)
}

func (p *planner) Exec(ctx context.Context, ns, pod string, opts cluster.ExecOptions) (int, error) {
	p.note(fmt.Sprintf("! exec pod/%s/%s: %s", ns, pod, strings.Join(opts.Command, " ")))
	return 0, nil
}

func (p *planner) DialPod(ctx context.Context, ns, pod string, port int) (net.Conn, error) {
	return nil, api.NewBadRequest("port-forward does not connect in a dry run")
}

// diffObjects lists the changed leaves of metadata.labels,
// metadata.annotations and spec as "path: old -> new".
func diffObjects(old, cur api.Object) []string {
	a, b := flatten(old), flatten(cur)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if a[k] != b[k] {
			out = append(out, fmt.Sprintf("%s: %s -> %s", k, orNone(a[k]), orNone(b[k])))
		}
	}
	sort.Strings(out)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func flatten(obj api.Object) map[string]string {
	doc, _ := json.Marshal(obj)
	var m map[string]any
	json.Unmarshal(doc, &m)
	out := map[string]string{}
	if meta, ok := m["metadata"].(map[string]any); ok {
		flattenInto(out, "labels", meta["labels"])
		flattenInto(out, "annotations", meta["annotations"])
	}
	flattenInto(out, "spec", m["spec"])
	return out
}

func flattenInto(out map[string]string, prefix string, v any) {
	switch v := v.(type) {
	case nil:
	case map[string]any:
		for k, e := range v {
			flattenInto(out, prefix+"."+k, e)
		}
	case []any:
		for i, e := range v {
			flattenInto(out, fmt.Sprintf("%s[%d]", prefix, i+1), e)
		}
	case string:
		out[prefix] = v
	default:
		b, _ := json.Marshal(v)
		out[prefix] = string(b)
	}
}
