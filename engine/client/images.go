package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/server/wire"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// ListImages implements cluster.ImageService.
func (c *Client) ListImages(ctx context.Context) ([]cluster.Image, error) {
	var l struct {
		Items []cluster.Image `json:"items"`
	}
	if err := c.doJSON(ctx, http.MethodGet, wire.ImagesPath, nil, nil, "", &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// ImportImage implements cluster.ImageService. A relative source is made
// absolute here: the engine runs in another working directory.
func (c *Client) ImportImage(ctx context.Context, name, source string) (cluster.Image, error) {
	if abs, err := filepath.Abs(source); err == nil {
		source = abs
	}
	return c.imageCall(ctx, "import", wire.ImportRequest{Name: name, Source: source})
}

// RemoveImage implements cluster.ImageService.
func (c *Client) RemoveImage(ctx context.Context, name string) error {
	return c.doJSON(ctx, http.MethodDelete, wire.ImagesPath+"/"+url.PathEscape(name), nil, nil, "", nil)
}

// BuildImage implements cluster.ImageService. Relative host paths of the
// files are made absolute here.
func (c *Client) BuildImage(ctx context.Context, spec cluster.ImageBuild) (cluster.Image, error) {
	if len(spec.Files) > 0 {
		files := make(map[string]string, len(spec.Files))
		for dst, src := range spec.Files {
			if abs, err := filepath.Abs(src); err == nil {
				src = abs
			}
			files[dst] = src
		}
		spec.Files = files
	}
	return c.imageCall(ctx, "build", spec)
}

// PullImage implements cluster.ImageService.
func (c *Client) PullImage(ctx context.Context, ref string, insecure bool) (cluster.Image, error) {
	return c.imageCall(ctx, "pull", wire.PullRequest{Ref: ref, Insecure: insecure})
}

func (c *Client) imageCall(ctx context.Context, verb string, req any) (cluster.Image, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return cluster.Image{}, err
	}
	var im cluster.Image
	err = c.doJSON(ctx, http.MethodPost, wire.ImagesPath+"/"+verb, nil, body, "application/json", &im)
	return im, err
}
