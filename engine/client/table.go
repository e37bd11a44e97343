package client

import (
	"context"
	"fmt"
	"net/http"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/printers"
)

// tableAccept asks for a server-side Table, as kubectl get does.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

// ListTable lists resource as the engine's server-side Table (kubectl
// get's request): the rows' cells computed by the engine with the same
// printers minish uses, and each row's object as includeObject asks
// (printers.IncludeNone, IncludeMetadata or IncludeObject). A long list
// travels as its rows instead of its objects; minish prints it with
// printers.PrintTable.
func (c *Client) ListTable(ctx context.Context, resource string, opts cluster.ListOptions, includeObject string) (*printers.Table, error) {
	k, err := resourceKind(resource)
	if err != nil {
		return nil, err
	}
	q := listQuery(opts)
	if includeObject != "" {
		q.Set("includeObject", includeObject)
	}
	req, err := c.request(ctx, http.MethodGet, listPath(k, opts.Namespace), q, nil, "")
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", tableAccept)
	resp, err := c.send(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	t, _, err := printers.DecodeTable(resp.Body, k.Resource, includeObject)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("engine at %s: %w", c.where, err)
	}
	return t, nil
}
