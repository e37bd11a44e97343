package enginetest_test

import (
	"testing"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

func TestInProcessEngine(t *testing.T) {
	enginetest.Run(t, func(t *testing.T) cluster.Interface { return enginetest.InProcess(t) })
}
