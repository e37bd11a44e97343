package cluster

import (
	"os"
	"path/filepath"
)

// DefaultHome is the state directory: $MIN_HOME, else /var/lib/min for
// root, else $XDG_DATA_HOME/min (~/.local/share/min).
func DefaultHome() string {
	if h := os.Getenv("MIN_HOME"); h != "" {
		return h
	}
	if os.Geteuid() == 0 {
		return "/var/lib/min"
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "min")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "min")
	}
	return filepath.Join(home, ".local", "share", "min")
}
