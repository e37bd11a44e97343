package containers

import (
	"testing"

	"github.com/minspace/min/containers/shim"
)

// TestInitIgnoresAStrayRole: the role variable alone (a user's environment)
// does not turn a program into a shim; without the check this test process
// would become one and exit.
func TestInitIgnoresAStrayRole(t *testing.T) {
	for _, role := range []string{"shim", "pause"} {
		t.Setenv(shim.RoleEnv, role)
		Init()
	}
}
