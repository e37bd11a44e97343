package daemonctl

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Files of the state directory the engine daemon owns.
const (
	SocketFile     = "min.sock"
	PIDFile        = "engine.pid"
	LogFile        = "engine.log"
	StartLockFile  = "start.lock"
	TokenFile      = "token"
	KubeconfigFile = "kubeconfig"
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
)

// SocketPath is the engine's socket in home.
func SocketPath(home string) string { return filepath.Join(home, SocketFile) }

// KubeconfigPath is the kubeconfig written by an engine with a TCP
// listener.
func KubeconfigPath(home string) string { return filepath.Join(home, KubeconfigFile) }

// EnsureHome creates the state directory and closes it to everyone else.
func EnsureHome(home string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	return os.Chmod(home, 0o700)
}

// ReadPID reads the pid file (0 when absent or unreadable).
func ReadPID(home string) int {
	b, err := os.ReadFile(filepath.Join(home, PIDFile))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// WriteFile0600 writes a private file atomically (temp file and rename).
func WriteFile0600(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
