package containers

import (
	"os"
	"path/filepath"

	"github.com/minspace/min/containers/shim"
)

// Init must be called first thing in main (and in TestMain). When this
// process is a re-execution made by the runtime (a pod's shim, or the holder
// of a shared pid namespace) it runs that role and never returns; otherwise
// it returns at once.
//
// A role needs both the environment variable and the argv[0] the runtime
// sets. A process that has only one of the two is a broken re-execution (or
// a stray variable): it exits with status 2 rather than return, because
// returning would run the program itself (a test binary's tests, a script)
// in place of the role, with the runtime's argv and environment.
func Init() {
	role, set := os.LookupEnv(shim.RoleEnv)
	arg0 := ""
	if len(os.Args) > 0 {
		arg0 = os.Args[0]
	}
	switch {
	case role == "shim" && arg0 == shim.ShimArg0:
		os.Unsetenv(shim.RoleEnv) // nothing the shim starts inherits the role
		shim.Main()
		os.Exit(0)
	case role == "pause" && arg0 == shim.PauseArg0:
		os.Unsetenv(shim.RoleEnv)
		shim.Pause()
		os.Exit(0)
	case set || isRoleArg0(arg0):
		os.Stderr.WriteString("min: refusing to run: " + shim.RoleEnv + "=" + quote(role, set) +
			" with argv[0] " + quote(arg0, true) + " (the runtime sets both, to shim/" + shim.ShimArg0 +
			" or pause/" + shim.PauseArg0 + ")\n")
		os.Exit(2)
	}
}

// isRoleArg0 reports whether arg0 names a role's program, by its base name
// too (min-shim run by its path).
func isRoleArg0(arg0 string) bool {
	switch filepath.Base(arg0) {
	case shim.ShimArg0, shim.PauseArg0:
		return true
	}
	return false
}

func quote(s string, set bool) string {
	if !set {
		return "(unset)"
	}
	return `"` + s + `"`
}
