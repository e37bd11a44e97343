package containers

import (
	"os"

	"github.com/minspace/min/containers/shim"
)

// Init must be called first thing in main (and in TestMain). When this
// process is a re-execution made by the runtime (a pod's shim, or the holder
// of a shared pid namespace) it runs that role and never returns; otherwise
// it returns at once.
//
// A role needs both the environment variable and the argv[0] the runtime
// sets, so a stray variable in a user's environment does nothing.
func Init() {
	role := os.Getenv(shim.RoleEnv)
	if role == "" || len(os.Args) == 0 {
		return
	}
	switch {
	case role == "shim" && os.Args[0] == shim.ShimArg0:
		shim.Main()
		os.Exit(0)
	case role == "pause" && os.Args[0] == shim.PauseArg0:
		shim.Pause()
		os.Exit(0)
	}
}
