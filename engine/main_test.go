package engine

import (
	"os"
	"testing"

	"github.com/minspace/min/containers"
)

// TestMain lets the test binary serve as the pods' shim, as minish does.
func TestMain(m *testing.M) {
	containers.Init()
	os.Exit(m.Run())
}
