package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var minishOnce struct {
	sync.Once
	dir string
	err error
}

// minishBin builds cmd/minish once per test run and returns its folder.
func minishBin(t *testing.T) string {
	t.Helper()
	minishOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minish-bin")
		if err != nil {
			minishOnce.err = err
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "minish"), "../cmd/minish").CombinedOutput()
		if err != nil {
			minishOnce.err = &buildError{out: string(out), err: err}
		}
		minishOnce.dir = dir
	})
	if minishOnce.err != nil {
		t.Fatal(minishOnce.err)
	}
	return minishOnce.dir
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// TestMinish runs the golden scripts of testdata/minish: minish as script
// runner, its errors and exit codes, dry runs, laziness.
func TestMinish(t *testing.T) {
	bin := minishBin(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/minish",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("MIN_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("MIN_NO_HOST_NODE", "1")
			return nil
		},
	})
}
