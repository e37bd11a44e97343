package daemon

import (
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/minspace/min/containers"
)

// TestMain lets the test binary be the pods' shim, the detached engine (the re-exec
// contract: `<binary> engine ARGS` runs Main) and a socket prober run as
// another user.
func TestMain(m *testing.M) {
	containers.Init() // the test binary is also the pods' shim, as minish is
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "engine":
			os.Exit(Main(os.Args[2:]))
		case "dialtest":
			c, err := net.Dial("unix", os.Args[2])
			if err != nil {
				fmt.Println(err)
				os.Exit(3)
			}
			c.Close()
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}
