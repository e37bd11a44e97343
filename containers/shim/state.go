package shim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ReadState reads a pod's state.json from its directory.
func ReadState(podDir string) (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(podDir, StateFile))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("shim: %s: %w", StateFile, err)
	}
	return st, nil
}

// ReadConfig reads a pod's config.json from its directory.
func ReadConfig(podDir string) (Config, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(podDir, ConfigFile))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("shim: %s: %w", ConfigFile, err)
	}
	return c, nil
}

// writeJSON replaces path atomically: readers see the old or the new file,
// never a torn one.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// WriteConfig writes config.json into podDir.
func WriteConfig(podDir string, c Config) error {
	return writeJSON(filepath.Join(podDir, ConfigFile), c)
}

// StartTime returns a process's start time in clock ticks since boot, the
// 22nd field of /proc/<pid>/stat; with the pid it names a process uniquely.
func StartTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("shim: malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, fmt.Errorf("shim: malformed /proc/%d/stat", pid)
	}
	if f[0] == "Z" || f[0] == "X" {
		return 0, os.ErrNotExist // a zombie is gone for our purposes
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// Alive reports whether pid is still the process that started at start.
func Alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	t, err := StartTime(pid)
	return err == nil && t == start
}
