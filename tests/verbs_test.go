package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var verbsOnce struct {
	sync.Once
	dir string
	err error
}

// verbsBin builds minish with its kubectl verbs wired in and returns its
// folder. Until cmd/minish/main.go calls runVerb itself, the build
// overlays a copy of main.go that does (the one call main must make).
func verbsBin(t *testing.T) string {
	t.Helper()
	verbsOnce.Do(func() {
		verbsOnce.dir, verbsOnce.err = buildVerbs()
	})
	if verbsOnce.err != nil {
		t.Fatal(verbsOnce.err)
	}
	return verbsOnce.dir
}

func buildVerbs() (string, error) {
	dir, err := os.MkdirTemp("", "minish-verbs")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-o", filepath.Join(dir, "minish")}
	mainGo, err := filepath.Abs("../cmd/minish/main.go")
	if err != nil {
		return dir, err
	}
	src, err := os.ReadFile(mainGo)
	if err != nil {
		return dir, err
	}
	if !strings.Contains(string(src), "runVerb(") {
		const hook = "\tcontainers.Init()\n"
		wired := strings.Replace(string(src), hook, hook+"\tif code, ok := runVerb(os.Args[1:]); ok {\n\t\tos.Exit(code)\n\t}\n", 1)
		if wired == string(src) {
			return dir, errors.New("main.go has no containers.Init() line to hook the verbs after")
		}
		patched := filepath.Join(dir, "main.go")
		overlay := filepath.Join(dir, "overlay.json")
		spec, _ := json.Marshal(map[string]map[string]string{"Replace": {mainGo: patched}})
		if err := os.WriteFile(patched, []byte(wired), 0o644); err != nil {
			return dir, err
		}
		if err := os.WriteFile(overlay, spec, 0o644); err != nil {
			return dir, err
		}
		args = append(args, "-overlay", overlay)
	}
	out, err := exec.Command("go", append(args, "../cmd/minish")...).CombinedOutput()
	if err != nil {
		return dir, &buildError{out: string(out), err: err} // dir: removeBuilds deletes it
	}
	return dir, nil
}

// TestVerbs runs the golden scripts of testdata/verbs: kubectl's verbs
// through minish, on a fresh $MIN_HOME per script without the host node
// (simulated nodes run the pods), with the kubia manifests in $WORK and
// ages pinned by MIN_NOW to 100 days after the objects were made.
func TestVerbs(t *testing.T) {
	bin := verbsBin(t)
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
