package containers

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/minspace/min/containers/shim"
)

// TestInitChildRan is what the re-executions of TestInitRefusesHalfARole
// run when Init lets them through: it prints a marker.
func TestInitChildRan(t *testing.T) {
	if os.Getenv("MIN_TEST_INIT_CHILD") != "1" {
		t.Skip("run only as TestInitRefusesHalfARole's child")
	}
	os.Stdout.WriteString("init-child-ran\n")
}

// TestInitRefusesHalfARole re-executes this test binary (whose TestMain
// calls Init) with half of a role, as a broken re-exec or a stray variable
// would: Init must exit 2 before the binary runs anything of its own (here:
// its tests, which once started pods whose shims ran the tests again, in a
// loop). With neither half, the program runs as usual.
func TestInitRefusesHalfARole(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, arg0, role string
		refused          bool
	}{
		{"shim argv0 without the variable", shim.ShimArg0, "", true},
		{"pause argv0 without the variable", shim.PauseArg0, "", true},
		{"shim argv0 as a path", "/usr/local/libexec/" + shim.ShimArg0, "", true},
		{"shim variable with another argv0", exe, "shim", true},
		{"pause variable with another argv0", exe, "pause", true},
		{"empty variable", exe, "=", true},
		{"pause variable with the shim argv0", shim.ShimArg0, "pause", true},
		{"unknown role with the shim argv0", shim.ShimArg0, "engine", true},
		{"neither", exe, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"MIN_TEST_INIT_CHILD=1"}
			switch tc.role {
			case "":
			case "=":
				env = append(env, shim.RoleEnv+"=")
			default:
				env = append(env, shim.RoleEnv+"="+tc.role)
			}
			var out, errb bytes.Buffer
			cmd := &exec.Cmd{Path: exe, Args: []string{tc.arg0, "-test.run=^TestInitChildRan$"}, Env: env,
				Stdout: &out, Stderr: &errb}
			err := cmd.Run()
			ran := strings.Contains(out.String(), "init-child-ran")
			var ee *exec.ExitError
			switch {
			case tc.refused && (ran || !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(errb.String(), "refusing to run")):
				t.Fatalf("want exit 2 and nothing run; err %v, ran %v, stdout %q, stderr %q", err, ran, out.String(), errb.String())
			case !tc.refused && (err != nil || !ran):
				t.Fatalf("want the program to run; err %v, stdout %q, stderr %q", err, out.String(), errb.String())
			}
		})
	}
}
