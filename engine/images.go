package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/engine/api"
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

var _ ImageService = (*Engine)(nil)

func (e *Engine) imageStore() (*image.Store, error) {
	if e.images == nil {
		return nil, api.NewBadRequest("this engine runs no node of this machine, so it has no image store (it needs root)")
	}
	return e.images, nil
}

func imageOf(im *image.Image) Image {
	return Image{Name: im.Name, ID: im.ID, Size: im.Size, Created: im.Created}
}

// imageError maps the image store's errors to API errors.
func imageError(ref string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, image.ErrImageNotFound):
		return api.NewNotFound("images", ref)
	case errors.Is(err, image.ErrInvalidName), errors.Is(err, image.ErrUnsupportedFormat), errors.Is(err, image.ErrInvalid):
		return api.NewBadRequest(err.Error())
	}
	return err
}

// ListImages implements ImageService.
func (e *Engine) ListImages(ctx context.Context) ([]Image, error) {
	s, err := e.imageStore()
	if err != nil {
		return nil, err
	}
	list, err := s.List()
	if err != nil {
		return nil, err
	}
	out := make([]Image, len(list))
	for i := range list {
		out[i] = imageOf(&list[i])
	}
	return out, nil
}

// ImportImage implements ImageService.
func (e *Engine) ImportImage(ctx context.Context, name, source string) (Image, error) {
	s, err := e.imageStore()
	if err != nil {
		return Image{}, err
	}
	im, err := s.Import(name, source)
	if err != nil {
		return Image{}, imageError(name, fmt.Errorf("importing %s: %w", source, err))
	}
	return imageOf(im), nil
}

// RemoveImage implements ImageService.
func (e *Engine) RemoveImage(ctx context.Context, name string) error {
	s, err := e.imageStore()
	if err != nil {
		return err
	}
	return imageError(name, s.Remove(name))
}

// BuildImage implements ImageService.
func (e *Engine) BuildImage(ctx context.Context, b ImageBuild) (Image, error) {
	s, err := e.imageStore()
	if err != nil {
		return Image{}, err
	}
	if b.From != "" {
		if _, err := s.Get(b.From); err != nil && isBusybox(b.From) {
			s.EnsureBusybox()
		}
	}
	im, err := s.Build(image.BuildSpec{Name: b.Name, From: b.From, Files: b.Files, Cmd: b.Cmd,
		Entrypoint: b.Entrypoint, Env: b.Env, WorkingDir: b.WorkingDir, User: b.User})
	if err != nil {
		return Image{}, imageError(b.Name, err)
	}
	return imageOf(im), nil
}

// PullImage implements ImageService; insecure allows plain http (a
// registry on localhost).
func (e *Engine) PullImage(ctx context.Context, ref string, insecure bool) (Image, error) {
	s, err := e.imageStore()
	if err != nil {
		return Image{}, err
	}
	im, err := s.Pull(ctx, ref, image.PullOptions{Insecure: insecure})
	if err != nil {
		return Image{}, imageError(ref, err)
	}
	return imageOf(im), nil
}
