package enginetest_test

import (
	"testing"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

func TestInProcessEngine(t *testing.T) {
	enginetest.Run(t, func(t *testing.T) cluster.Interface {
		e, err := engine.Open(t.TempDir(), engine.Options{NoHostNode: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	})
}
