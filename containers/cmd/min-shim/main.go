package main

import (
	"fmt"
	"os"

	"github.com/minspace/min/containers"
)

func main() {
	containers.Init() // runs the role and exits when started by a Runtime
	fmt.Fprintln(os.Stderr, "min-shim: started by hand; it is run by Min's container runtime (containers.Options.ShimBinary)")
	os.Exit(2)
}
