package enginetest

import (
	"testing"

	"github.com/minspace/min/engine"
)

// InProcess opens an in-process engine without the host node on a
// temporary folder, for one test or benchmark; it is closed when that
// ends (after the cleanups registered later, which may still use it).
func InProcess(t testing.TB) *engine.Engine {
	t.Helper()
	e, err := engine.Open(t.TempDir(), engine.Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
