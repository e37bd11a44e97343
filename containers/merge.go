package containers

import (
	"fmt"
	"strings"
)

// defaultPath is the PATH a container gets when its image sets none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// argv merges a container's command and args with its image config as
// Kubernetes does: command replaces the entrypoint (and drops the image's
// cmd), args replace the cmd.
func argv(c ContainerSpec, img ImageConfig) ([]string, error) {
	var out []string
	switch {
	case len(c.Command) > 0:
		out = append(append(out, c.Command...), c.Args...)
	case len(c.Args) > 0:
		out = append(append(out, img.Entrypoint...), c.Args...)
	default:
		out = append(append(out, img.Entrypoint...), img.Cmd...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("container %q: no command specified: %w", c.Name, ErrInvalid)
	}
	return out, nil
}

// env merges the image's environment with the container's (the container
// wins per name), keeping first-seen order, and adds a default PATH.
func env(img, ctr []string) []string {
	var out []string
	index := map[string]int{}
	for _, kv := range append(append([]string{defaultPath}, img...), ctr...) {
		name, _, _ := strings.Cut(kv, "=")
		if i, ok := index[name]; ok {
			out[i] = kv
			continue
		}
		index[name] = len(out)
		out = append(out, kv)
	}
	return out
}
