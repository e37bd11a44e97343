package cluster

import (
	"context"
	"time"
)

// ImageService is the image store of the node this machine runs. *Engine
// and the daemon's client implement it; front ends find it with a type
// assertion on their Interface.
type ImageService interface {
	ListImages(ctx context.Context) ([]Image, error)
	ImportImage(ctx context.Context, name, source string) (Image, error)
	RemoveImage(ctx context.Context, name string) error
	BuildImage(ctx context.Context, spec ImageBuild) (Image, error)
	PullImage(ctx context.Context, ref string, insecure bool) (Image, error)
}

// Image is one image of the local store.
type Image struct {
	Name    string    `json:"name"` // normalised: "busybox:latest"
	ID      string    `json:"id"`   // "sha256:…"
	Size    int64     `json:"size"` // bytes of files over all layers
	Created time.Time `json:"created"`
	// Loaded lists, for an ImportImage without a name (`docker load`),
	// every image the archive gave, once per name, in its order; the
	// other fields describe the first.
	Loaded []Image `json:"loaded,omitempty"`
}

// ImageBuild makes a new image from a base plus files: the Lua way to write
// a small Dockerfile. Files maps a path in the image to a host path.
type ImageBuild struct {
	Name       string            `json:"name"`
	From       string            `json:"from,omitempty"`
	Files      map[string]string `json:"files,omitempty"`
	Cmd        []string          `json:"cmd,omitempty"`
	Entrypoint []string          `json:"entrypoint,omitempty"`
	Env        []string          `json:"env,omitempty"`
	WorkingDir string            `json:"workingDir,omitempty"`
	User       string            `json:"user,omitempty"`
}
