package image

import "errors"

// Sentinel errors, tested with errors.Is. Errors returned by the Store wrap
// one of them (or more: a registry's "manifest unknown" is both ErrPull and
// ErrImageNotFound) with the context that explains them.
var (
	// ErrImageNotFound: no image of that name in the store, or the
	// registry does not have it.
	ErrImageNotFound = errors.New("image not found")
	// ErrPull: pulling from a registry failed (unreachable, refused,
	// unknown manifest, broken blob). The engine maps it to ErrImagePull.
	ErrPull = errors.New("image pull failed")
	// ErrInvalidName: a reference that is not a valid image name.
	ErrInvalidName = errors.New("invalid image name")
	// ErrUnsupportedFormat: Import could not recognise the input.
	ErrUnsupportedFormat = errors.New("unsupported image format")
	// ErrUnsafeLayer: a layer tar tried to write outside its root
	// (../ names, writing through a symlink, links out of the root).
	ErrUnsafeLayer = errors.New("unsafe layer entry")
	// ErrCorrupt: content does not match its digest, or a record of the
	// store cannot be read.
	ErrCorrupt = errors.New("corrupt image data")
	// ErrInvalid: a request that cannot be carried out as given (a Build
	// without a name, a missing source file...).
	ErrInvalid = errors.New("invalid request")
	// ErrNoBusybox: the host has no static busybox for EnsureBusybox.
	ErrNoBusybox = errors.New("no busybox on the host (install busybox-static)")
)
