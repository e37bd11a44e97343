package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/containers/shim"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// ImageService, Image and ImageBuild are engine/cluster's: clients that
// do not link the engine implement and use them too.
type (
	ImageService = cluster.ImageService
	Image        = cluster.Image
	ImageBuild   = cluster.ImageBuild
)

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

// ImportImage implements ImageService. Without a name it loads every
// image of a docker archive or OCI layout under the archive's own names
// (`docker load`) and lists them in Image.Loaded.
func (e *Engine) ImportImage(ctx context.Context, name, source string) (Image, error) {
	s, err := e.imageStore()
	if err != nil {
		return Image{}, err
	}
	if name == "" {
		return loadImages(s, source)
	}
	im, err := s.Import(name, source)
	if err != nil {
		return Image{}, imageError(name, fmt.Errorf("importing %s: %w", source, err))
	}
	return imageOf(im), nil
}

func loadImages(s *image.Store, source string) (Image, error) {
	list, err := s.Load(source)
	if err != nil {
		return Image{}, imageError(source, fmt.Errorf("loading %s: %w", source, err))
	}
	if len(list) == 0 {
		return Image{}, api.NewBadRequest(fmt.Sprintf("loading %s: the archive holds no image", source))
	}
	out := imageOf(&list[0])
	for i := range list {
		out.Loaded = append(out.Loaded, imageOf(&list[i]))
	}
	return out, nil
}

// RemoveImage implements ImageService. It refuses an image that a pod
// names (as docker rmi refuses one a container uses): its containers run
// it, or will when they start or restart.
func (e *Engine) RemoveImage(ctx context.Context, name string) error {
	s, err := e.imageStore()
	if err != nil {
		return err
	}
	if err := e.checkUnused(ctx, s, name); err != nil {
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

// checkUnused fails with a Conflict when a pod uses the image ref names:
// a container names it, or names the same image another way (its ID)
// while ref is the image's last name.
func (e *Engine) checkUnused(ctx context.Context, s *image.Store, ref string) error {
	img, err := s.Get(ref)
	if err != nil {
		return imageError(ref, err)
	}
	last, err := lastName(s, img, ref)
	if err != nil {
		return err
	}
	pods, err := e.List(ctx, "pods", ListOptions{})
	if err != nil {
		return err
	}
	ids := map[string]string{} // container image -> image ID, "" when none
	for _, o := range pods.Items {
		p := o.(*api.Pod)
		for _, c := range p.Spec.Containers {
			if uses(s, ids, c.Image, img, last) {
				return imageInUse(img.Name, p)
			}
		}
	}
	return nil
}

// lastName tells whether removing ref removes the image itself: ref is
// its ID, or no other name points to it.
func lastName(s *image.Store, img *image.Image, ref string) (bool, error) {
	if ref == img.ID {
		return true, nil
	}
	all, err := s.List()
	if err != nil {
		return false, err
	}
	for _, other := range all {
		if other.ID == img.ID && other.Name != img.Name {
			return false, nil
		}
	}
	return true, nil
}

func uses(s *image.Store, ids map[string]string, ctrImage string, img *image.Image, last bool) bool {
	if n, err := image.Normalize(ctrImage); err == nil && n == img.Name {
		return true
	}
	if !last {
		return false
	}
	id, ok := ids[ctrImage]
	if !ok {
		if got, err := s.Get(ctrImage); err == nil {
			id = got.ID
		}
		ids[ctrImage] = id
	}
	return id == img.ID
}

func imageInUse(name string, p *api.Pod) error {
	return &api.StatusError{Reason: api.ReasonConflict, Code: http.StatusConflict,
		Message: fmt.Sprintf("image %q is in use by pod %s/%s: delete the pod first", name, p.Namespace, p.Name),
		Details: &api.StatusDetails{Name: name, Kind: "images"}}
}

// pinnedLayers is the image store's Options.Pinned: the layers that GC
// must keep although no image may reference them any more. They are the
// layers of every container this machine's runtimes have set up (read
// from their pods' state, so a container keeps the layers it was started
// with when its image's name moves to a newer image), and those of the
// images that existing pods name (pods about to start).
func (e *Engine) pinnedLayers() []string {
	var out []string
	dirs, _ := filepath.Glob(filepath.Join(e.home, "containers", "pods", "*"))
	more, _ := filepath.Glob(filepath.Join(e.home, "nodes", "*", "pods", "*"))
	for _, dir := range append(dirs, more...) {
		cfg, err := shim.ReadConfig(dir)
		if err != nil {
			continue // a pod being created or removed: its images are named by its pod
		}
		for _, c := range cfg.Containers {
			out = append(out, c.Layers...)
		}
	}
	if e.images == nil {
		return out
	}
	pods, err := e.List(e.ctx, "pods", ListOptions{})
	if err != nil {
		return out
	}
	seen := map[string]bool{}
	for _, o := range pods.Items {
		for _, c := range o.(*api.Pod).Spec.Containers {
			if !seen[c.Image] {
				seen[c.Image] = true
				layers, _, _ := e.images.Resolve(c.Image)
				out = append(out, layers...)
			}
		}
	}
	return out
}

// imageGCDelay gathers the deletions of many pods into one GC.
const imageGCDelay = 200 * time.Millisecond

// imageGC frees image layers once nothing pins them: a pod's deletion is
// what unpins, so it runs GC after pods are deleted (and once at start),
// when the store says GC has something to free.
func (e *Engine) imageGC(ctx context.Context) {
	for ctx.Err() == nil {
		events, err := e.Watch(ctx, "pods", ListOptions{})
		e.collectImages() // what was deleted before the watch began
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for ev := range events {
			if ev.Type != Deleted {
				continue
			}
			drain(ctx, events, imageGCDelay)
			e.collectImages()
		}
	}
}

// drain consumes events for d (a burst of deletions) or until ctx ends.
func drain(ctx context.Context, events <-chan Event, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case _, ok := <-events:
			if !ok {
				return
			}
		}
	}
}

func (e *Engine) collectImages() {
	if e.images != nil && e.images.HasGarbage() {
		e.images.GC()
	}
}
