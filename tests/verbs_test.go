package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestVerbs runs the golden scripts of testdata/verbs: kubectl's verbs
// through minish, on a fresh $MIN_HOME per script without the host node
// (simulated nodes run the pods), with the kubia manifests in $WORK and
// ages pinned by MIN_NOW to 100 days after the objects were made.
func TestVerbs(t *testing.T) {
	bin := minishBin(t)
	manifests, err := filepath.Glob("../scripts/kubia/*.yaml")
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no kubia manifests in scripts/kubia (%v)", err)
	}
	forEngineMode(t, func(t *testing.T, embedded bool) {
		runVerbScripts(t, bin, manifests, embedded)
	})
}

func runVerbScripts(t *testing.T, bin string, manifests []string, embedded bool) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/verbs",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("MIN_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("MIN_NO_HOST_NODE", "1")
			setEngineMode(env, embedded)
			// 100d12h ahead: AGE prints "100d" however long the script runs.
			env.Setenv("MIN_NOW", time.Now().Add(100*24*time.Hour+12*time.Hour).UTC().Format(time.RFC3339))
			for _, m := range manifests {
				data, err := os.ReadFile(m)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, filepath.Base(m)), data, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
		// [embedded]: scripts whose background minish (get --watch) must
		// see other processes' changes skip the in-process engine.
		Condition: func(cond string) (bool, error) {
			if cond == "embedded" {
				return embedded, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}
