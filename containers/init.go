package containers

import (
	"os"

	"github.com/minspace/min/containers/shim"
)

// Init must be called first thing in main (and in TestMain). When this
// process is a re-execution made by the runtime (a pod's shim, or the holder
// of a shared pid namespace) it runs that role and never returns; otherwise
// it returns at once.
func Init() {
	switch os.Getenv(shim.RoleEnv) {
	case "shim":
		shim.Main()
		os.Exit(0)
	case "pause":
		shim.Pause()
		os.Exit(0)
	}
}
