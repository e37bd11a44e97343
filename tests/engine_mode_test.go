package tests

import (
	"errors"
	"testing"
	"time"

	"github.com/minspace/min/engine/daemonctl"
	"github.com/rogpeppe/go-internal/testscript"
)

// engineModes are the two ways minish reaches the cluster; the CLI golden
// suites run under both, so that the daemon's client and the in-process
// engine cannot drift apart.
var engineModes = []struct {
	name     string
	embedded bool
}{
	{"daemon", false},  // the default: a background engine minish starts
	{"embedded", true}, // minish --embedded
}

// forEngineMode runs fn once per engine mode as subtests.
func forEngineMode(t *testing.T, fn func(t *testing.T, embedded bool)) {
	for _, m := range engineModes {
		t.Run(m.name, func(t *testing.T) { fn(t, m.embedded) })
	}
}

// setEngineMode prepares a script's environment for the mode. In daemon
// mode the first minish of the script starts an engine for its $MIN_HOME;
// it is stopped (by pid, from its pid file) when the script ends.
func setEngineMode(env *testscript.Env, embedded bool) {
	if embedded {
		env.Setenv("MIN_EMBEDDED", "1")
		return
	}
	home := env.Getenv("MIN_HOME")
	env.Defer(func() { stopScriptEngine(env.T(), home) })
}

// stopScriptEngine stops the engine of home if one runs.
func stopScriptEngine(t testscript.T, home string) {
	if _, err := daemonctl.Stop(home, 30*time.Second); err != nil && !errors.Is(err, daemonctl.ErrNotRunning) {
		t.Log("stopping the engine of", home, ":", err)
	}
}
