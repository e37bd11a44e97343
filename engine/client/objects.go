package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

// Create implements cluster.Interface.
func (c *Client) Create(ctx context.Context, obj api.Object, opts cluster.CreateOptions) (api.Object, error) {
	k, ok := api.KindOf(obj)
	if !ok {
		return nil, api.NewBadRequest(fmt.Sprintf("unsupported object type %T", obj))
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("encoding %s: %v", k.Kind, err))
	}
	return c.objectCall(ctx, k, http.MethodPost, objectPath(k, obj.GetObjectMeta().Namespace, ""), dryRunQuery(opts.DryRun), body, "application/json")
}

// Get implements cluster.Interface.
func (c *Client) Get(ctx context.Context, resource, namespace, name string) (api.Object, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	if !validPathName(name) {
		return nil, api.NewNotFound(k.Resource, name)
	}
	return c.objectCall(ctx, k, http.MethodGet, objectPath(k, namespace, name), nil, nil, "")
}

// Update implements cluster.Interface.
func (c *Client) Update(ctx context.Context, obj api.Object, opts cluster.UpdateOptions) (api.Object, error) {
	k, ok := api.KindOf(obj)
	if !ok {
		return nil, api.NewBadRequest(fmt.Sprintf("unsupported object type %T", obj))
	}
	m := obj.GetObjectMeta()
	if !validPathName(m.Name) {
		return nil, api.NewNotFound(k.Resource, m.Name)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, api.NewBadRequest(fmt.Sprintf("encoding %s: %v", k.Kind, err))
	}
	return c.objectCall(ctx, k, http.MethodPut, objectPath(k, m.Namespace, m.Name), dryRunQuery(opts.DryRun), body, "application/json")
}

// Patch implements cluster.Interface (JSON merge patch).
func (c *Client) Patch(ctx context.Context, resource, namespace, name string, patch []byte, opts cluster.UpdateOptions) (api.Object, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	if !validPathName(name) {
		return nil, api.NewNotFound(k.Resource, name)
	}
	return c.objectCall(ctx, k, http.MethodPatch, objectPath(k, namespace, name), dryRunQuery(opts.DryRun), patch, "application/merge-patch+json")
}

// Delete implements cluster.Interface.
func (c *Client) Delete(ctx context.Context, resource, namespace, name string, opts cluster.DeleteOptions) (api.Object, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	if !validPathName(name) {
		return nil, api.NewNotFound(k.Resource, name)
	}
	d := wire.DeleteOptions{Kind: "DeleteOptions", APIVersion: "v1", GracePeriodSeconds: opts.GracePeriodSeconds}
	if opts.PropagationPolicy != "" {
		d.PropagationPolicy = &opts.PropagationPolicy
	}
	if opts.PreconditionUID != "" {
		d.Preconditions = &wire.Preconditions{UID: &opts.PreconditionUID}
	}
	if opts.DryRun {
		d.DryRun = []string{wire.DryRunAll}
	}
	body, _ := json.Marshal(d)
	return c.objectCall(ctx, k, http.MethodDelete, objectPath(k, namespace, name), nil, body, "application/json")
}

// List implements cluster.Interface.
func (c *Client) List(ctx context.Context, resource string, opts cluster.ListOptions) (*cluster.List, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodGet, listPath(k, opts.Namespace), listQuery(opts), nil, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	l, err := decodeList(k, resp.Body)
	if err != nil {
		return nil, fmt.Errorf("engine at %s: decoding the %s list: %w", c.where, k.Resource, err)
	}
	if l.Items == nil {
		l.Items = []api.Object{}
	}
	return l, nil
}

// objectCall sends a request whose answer is one object of kind k.
func (c *Client) objectCall(ctx context.Context, k api.Kind, method, path string, q url.Values, body []byte, ctype string) (api.Object, error) {
	var raw json.RawMessage
	if err := c.doJSON(ctx, method, path, q, body, ctype, &raw); err != nil {
		return nil, err
	}
	return decodeObject(k, raw)
}

// decodeObject decodes an object of kind k; a Success Status (what the
// apiserver answers to some deletes) is no object. One pass: the kind
// lands in the object's inline TypeMeta.
func decodeObject(k api.Kind, raw []byte) (api.Object, error) {
	o := k.New()
	if err := json.Unmarshal(raw, o); err != nil {
		return nil, fmt.Errorf("decoding a %s: %w", k.Kind, err)
	}
	if o.GetTypeMeta().Kind == "Status" {
		return nil, nil
	}
	return o, nil
}

func listPath(k api.Kind, namespace string) string {
	if k.Namespaced && namespace == "" {
		return "/api/v1/" + k.Resource
	}
	return objectPath(k, namespace, "")
}

func listQuery(opts cluster.ListOptions) url.Values {
	q := url.Values{}
	if opts.LabelSelector != "" {
		q.Set("labelSelector", opts.LabelSelector)
	}
	if opts.FieldSelector != "" {
		q.Set("fieldSelector", opts.FieldSelector)
	}
	if opts.ResourceVersion != "" {
		q.Set("resourceVersion", opts.ResourceVersion)
	}
	return q
}

func dryRunQuery(dry bool) url.Values {
	if !dry {
		return nil
	}
	return url.Values{"dryRun": {wire.DryRunAll}}
}

// validPathName: a name that can be a path segment. No stored object has
// an empty name or one with a slash, so such a lookup is NotFound.
func validPathName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}
