package image

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// PullOptions configures Pull. The zero value is the default.
type PullOptions struct {
	// Insecure allows plain http to the registry.
	// Loopback and localhost registries use http without it.
	Insecure bool
	// Transport replaces the HTTP transport (tests, proxies).
	Transport http.RoundTripper
}

// Pull fetches ref (the linux image for this machine's architecture) from
// its registry into the store and names it with ref's normalised form.
// Errors wrap ErrPull; a registry without the image gives an error that is
// also ErrImageNotFound.
func (s *Store) Pull(ctx context.Context, ref string, opts PullOptions) (*Image, error) {
	r, err := parse(ref, opts.Insecure)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPull, err)
	}
	nm := familiar(r)
	ropts := []remote.Option{remote.WithContext(ctx),
		remote.WithPlatform(v1.Platform{OS: "linux", Architecture: runtime.GOARCH})}
	if opts.Transport != nil {
		ropts = append(ropts, remote.WithTransport(opts.Transport))
	}
	img, err := remote.Image(r, ropts...)
	if err != nil {
		return nil, pullError(nm, err)
	}
	unlock, err := s.lock(gcLock, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out, err := s.importV1(nm, img)
	if err != nil {
		return nil, pullError(nm, err)
	}
	return out, nil
}

// pullError classifies a registry failure.
func pullError(nm string, err error) error {
	var te *transport.Error
	if errors.As(err, &te) && notFound(te) {
		return fmt.Errorf("pull %s: %w: %w: %w", nm, ErrPull, ErrImageNotFound, err)
	}
	return fmt.Errorf("pull %s: %w: %w", nm, ErrPull, err)
}

func notFound(te *transport.Error) bool {
	if te.StatusCode == http.StatusNotFound {
		return true
	}
	for _, d := range te.Errors {
		switch d.Code {
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
			return true
		}
	}
	return false
}
