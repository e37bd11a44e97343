package tests

import "testing"

// TestScripts runs every example script of scripts/ (scripts/bench holds
// benchmarks, run by their own tests).
func TestScripts(t *testing.T) { runLuaFiles(t, "../scripts/*.lua") }
