package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// engineProgram is the program that holds the engine.
const engineProgram = "min-engine"

// enginePath finds min-engine beside this minish (README's set-up builds
// both into one folder), else on $PATH.
func enginePath() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), engineProgram)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(engineProgram)
	if err != nil {
		return "", fmt.Errorf("the engine and --embedded need %s beside minish or on $PATH "+
			"(go build -o DIR ./cmd/minish ./cmd/min-engine ./containers/cmd/min-shim): %w", engineProgram, errors.Unwrap(err))
	}
	return p, nil
}

// execProgram runs path in place of this process, with args after it.
// argv[0] stays this program's, so that messages and file names that
// carry the program's name (minish-edit-*.yaml) read the same either way.
func execProgram(path string, args []string) error {
	argv := append([]string{os.Args[0]}, args...)
	if err := syscall.Exec(path, argv, os.Environ()); err != nil {
		return fmt.Errorf("running %s: %w", path, err)
	}
	return nil
}
