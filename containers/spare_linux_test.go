package containers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/containers/shim"
)

// waitSpare waits until the runtime holds a started spare shim and
// returns its pid.
func waitSpare(t *testing.T, r *Runtime) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		r.spareMu.Lock()
		sh := r.spare
		r.spareMu.Unlock()
		if sh != nil {
			return sh.pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no spare shim")
	return 0
}

// TestSpareShim: with Options.SpareShim the first pod starts the first
// spare, the next pod gets it (and works as any pod), the next spare
// follows, and Close ends the spare but not the pods.
func TestSpareShim(t *testing.T) {
	r := newRuntime(t, Options{SpareShim: true})
	t.Cleanup(func() { r.Close() }) // before checkClean: cleanups run last first
	r.spareMu.Lock()
	if r.spare != nil || r.refilling {
		t.Error("a spare before the first pod")
	}
	r.spareMu.Unlock()
	runPod(t, r, PodSpec{UID: "first", Name: "first", Containers: []ContainerSpec{sleeper("c")}})
	spare := waitSpare(t, r)
	runPod(t, r, PodSpec{UID: "spare", Name: "adopted", Containers: []ContainerSpec{sleeper("c")}})
	st, err := shim.ReadState(r.podDir("spare"))
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != spare {
		t.Errorf("pod's shim is %d, want the spare %d", st.PID, spare)
	}
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"hostname is the pod's", []string{"hostname"}, "adopted\n"},
		{"only loopback", []string{"sh", "-c", "ip -o link | cut -d: -f2"}, " lo\n"},
		{"own pid namespace", []string{"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"}, "sleep 1000 "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, _, code := execIn(t, r, "spare", "c", tc.argv...); code != 0 || out != tc.want {
				t.Errorf("%v: %q, exit %d; want %q", tc.argv, out, code, tc.want)
			}
		})
	}
	next := waitSpare(t, r)
	if next == spare {
		t.Fatal("no new spare after the first was taken")
	}
	// The shim's cwd is the pod directory; its log went there too.
	if cwd, err := os.Readlink("/proc/" + strconv.Itoa(spare) + "/cwd"); err != nil || cwd != r.podDir("spare") {
		t.Errorf("shim cwd %q (%v), want %q", cwd, err, r.podDir("spare"))
	}
	if _, err := os.Stat(filepath.Join(r.podDir("spare"), shim.LogFile)); err != nil {
		t.Error(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := shim.StartTime(next); err == nil {
		t.Errorf("spare %d still running after Close", next)
	}
	if !shim.Alive(st.PID, st.StartTime) {
		t.Error("Close ended a pod's shim")
	}
	// A closed runtime still runs pods, with shims of their own.
	runPod(t, r, PodSpec{UID: "after", Name: "after", Containers: []ContainerSpec{sleeper("c")}})
	if out, _, _ := execIn(t, r, "after", "c", "hostname"); strings.TrimSpace(out) != "after" {
		t.Errorf("hostname %q", out)
	}
}
