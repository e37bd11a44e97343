package image

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// dockerHub is the registry that familiar names ("busybox") live on.
const dockerHub = "index.docker.io"

// isID tells whether s is an image ID, "sha256:" and 64 lowercase hex
// digits. (No regexp: package initialisers run in every re-exec.)
func isID(s string) bool {
	hx, ok := strings.CutPrefix(s, "sha256:")
	return ok && isHex64(hx)
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Normalize returns the familiar, fully tagged form of an image reference,
// the way Docker prints it: "busybox" and "docker.io/library/busybox" are
// "busybox:latest", "luksa/kubia" is "luksa/kubia:latest", and names on
// another registry keep it ("127.0.0.1:5000/app:v1"). A digest reference
// keeps its digest ("busybox@sha256:...").
func Normalize(ref string) (string, error) {
	r, err := parse(ref, false)
	if err != nil {
		return "", err
	}
	return familiar(r), nil
}

func parse(ref string, insecure bool) (name.Reference, error) {
	if ref == "" {
		return nil, fmt.Errorf("%w: empty reference", ErrInvalidName)
	}
	if ref != strings.TrimSpace(ref) {
		return nil, fmt.Errorf("%w: %q has surrounding spaces", ErrInvalidName, ref)
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrInvalidName, ref, err)
	}
	return r, nil
}

// familiar renders a parsed reference without Docker Hub's implicit parts.
func familiar(r name.Reference) string {
	repo := r.Context().RepositoryStr()
	reg := r.Context().RegistryStr()
	base := reg + "/" + repo
	if reg == dockerHub {
		base = strings.TrimPrefix(repo, "library/")
	}
	switch t := r.(type) {
	case name.Digest:
		return base + "@" + t.DigestStr()
	case name.Tag:
		return base + ":" + t.TagStr()
	}
	return base + ":" + r.Identifier()
}
