package shim

import (
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minspace/min/containers/cgroup"
)

// seccompMode reads this thread's Seccomp field (0 none, 2 filter).
func seccompMode(t testing.TB) string {
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no Seccomp line")
	return ""
}

// TestSeccompStaysOnItsThread: the filter binds the thread that installs
// it, never the shim's other threads (the ones that mount the next
// containers' filesystems).
func TestSeccompStaysOnItsThread(t *testing.T) {
	if len(dockerDefault) == 0 {
		t.Skip("no compiled default profile for this architecture")
	}
	var inside string
	var err error
	cgroup.OnThrowawayThread(func() {
		if err = unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return
		}
		if err = installSeccomp("", nil); err != nil {
			return
		}
		inside = seccompMode(t)
		if uerr := unix.Unshare(unix.CLONE_NEWUTS); uerr != unix.EPERM {
			err = uerr
		}
	})
	if err != nil || inside != "2" {
		t.Fatalf("filtered thread: Seccomp %q, err %v", inside, err)
	}
	cgroup.OnThrowawayThread(func() { inside = seccompMode(t) })
	if inside != "0" {
		t.Fatalf("another thread: Seccomp %q", inside)
	}
	if err := installSeccomp("localhost/profile.json", nil); err == nil {
		t.Fatal("an unknown profile was accepted")
	}
	if err := installSeccomp(SeccompLocalhost, nil); err == nil {
		t.Fatal("a Localhost profile without a filter was accepted")
	}
}

// BenchmarkSeccompInstall measures loading Docker's default filter (each
// load on a fresh thread, which is what a container start pays).
func BenchmarkSeccompInstall(b *testing.B) {
	if len(dockerDefault) == 0 {
		b.Skip("no compiled default profile for this architecture")
	}
	var wall, cpu time.Duration
	for b.Loop() {
		cgroup.OnThrowawayThread(func() {
			unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
			t0, c0 := time.Now(), threadCPU()
			if err := installSeccomp("", nil); err != nil {
				b.Fatal(err)
			}
			wall += time.Since(t0)
			cpu += threadCPU() - c0
		})
	}
	b.ReportMetric(float64(wall.Nanoseconds())/float64(b.N)/1e3, "install-µs")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e3, "install-cpu-µs")
}

// threadCPU is this thread's CPU time (what a loaded machine does not
// inflate).
func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}
