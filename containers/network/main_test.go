package network

import (
	"fmt"
	"os"
	"testing"
)

// childEnv makes the test binary act as one of several processes sharing a StateDir
// (see the child functions in the _linux_test files) instead of running the tests.
const childEnv = "MIN_NETWORK_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		if err := runChild(role); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
