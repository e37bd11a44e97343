package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/minspace/min/containers"
	"github.com/minspace/min/containers/seccomp"
	"github.com/minspace/min/engine/api"
)

// SeccompDir is where a node of this machine finds Localhost seccomp
// profiles (securityContext.seccompProfile.localhostProfile is relative to
// it): the kubelet's <root-dir>/seccomp.
func SeccompDir(home string) string { return filepath.Join(home, "seccomp") }

// seccomp sets a container's seccomp profile: its own securityContext's,
// else the pod's, else the runtime's default (Docker's profile, as a
// kubelet with --seccomp-default gives). A Localhost profile (Docker's JSON
// format, as containerd and CRI-O read it) is read and compiled here.
func (k *kubelet) seccomp(p *api.Pod, c *api.Container, cs *containers.ContainerSpec) error {
	sp := c.SecurityContext.SeccompProfile
	if sp.Type == "" {
		sp = p.Spec.SecurityContext.SeccompProfile
	}
	cs.SeccompProfile = sp.Type
	if sp.Type != api.SeccompProfileLocalhost {
		return nil
	}
	dir := SeccompDir(k.e.home)
	path := filepath.Join(dir, sp.LocalhostProfile)
	if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
		return fmt.Errorf("seccomp profile %q is outside %s", sp.LocalhostProfile, dir)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot load seccomp profile %q: %w", path, err)
	}
	if cs.SeccompFilter, err = seccomp.Load(b); err != nil {
		return fmt.Errorf("cannot load seccomp profile %q: %w", path, err)
	}
	return nil
}
