package daemon

import "github.com/minspace/min/engine/daemonctl"

// Files of the state directory, as engine/daemonctl names them.
const (
	SocketFile     = daemonctl.SocketFile
	PIDFile        = daemonctl.PIDFile
	LogFile        = daemonctl.LogFile
	StartLockFile  = daemonctl.StartLockFile
	TokenFile      = daemonctl.TokenFile
	KubeconfigFile = daemonctl.KubeconfigFile
	CACertFile     = daemonctl.CACertFile
	CAKeyFile      = daemonctl.CAKeyFile
)

// SocketPath is the engine's socket in home.
func SocketPath(home string) string { return daemonctl.SocketPath(home) }

// KubeconfigPath is the kubeconfig written by an engine with a TCP
// listener.
func KubeconfigPath(home string) string { return daemonctl.KubeconfigPath(home) }
