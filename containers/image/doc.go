// Package image is Min's local image store: the images that containers run.
//
// It owns the directory it is opened on ($MIN_HOME/images): images imported
// from a rootfs directory, a rootfs tar (plain or gzip), a `docker save`
// archive or an OCI image layout; images built from a base plus files (the
// Lua way to write a small Dockerfile); a busybox image assembled from the
// host's busybox-static; and images pulled from a registry.
//
// Layers are unpacked once, content-addressed by their diffID, into
// directories that the runtime stacks as overlayfs lowerdirs (Resolve).
// Whiteouts are stored the overlayfs way: a 0/0 character device for a
// deleted file and the trusted.overlay.opaque xattr on an opaque directory
// (user.overlay.opaque when not root, for a userxattr mount). Layer
// directories are read-only by contract: nothing may write into them.
//
// On disk:
//
//	layers/<hex>/root/     an unpacked layer (diffID sha256:<hex>)
//	layers/<hex>/layer.json its diffID and size
//	images/<hex>.json      an image config (OCI/Docker JSON); ID = sha256:<hex> of its bytes
//	repositories.json      name ("busybox:latest") -> image ID
//	tmp/                   extraction in progress; emptied by Open
//
// Every write is atomic (written aside, then renamed into place), so a crash
// leaves no half layer and no half image.
//
// Concurrency: a Store is safe for concurrent use by goroutines, and several
// processes may open the same directory: imports hold a shared flock for
// their whole duration and Remove/GC an exclusive one, so garbage collection
// never deletes a layer that an import is about to reference. Two imports
// of the same layer extract it once (a per-layer lock in the process, an
// atomic rename across processes). Reads (Get, List, Resolve) take no lock:
// repositories.json is only ever replaced by a rename, and configs and
// layers are content-addressed, so Resolve, which the runtime calls per
// container start, costs one stat once its image is cached.
//
// Load is `docker load`: every image of a docker archive or OCI layout,
// under the names the archive gives them.
//
// Layers in use: Remove deletes layers no image references. A runtime whose
// containers still have them mounted lists them through Options.Pinned;
// GC frees them later. HasGarbage says when a GC may free something (an
// image lost its last name to a newer import, or a pinned layer was kept),
// so that a caller can run GC when its pins go away.
//
// This package must never import engine/, bindings/, gopher-lua or its
// parent package containers: the runtime consumes it through Resolve.
package image
