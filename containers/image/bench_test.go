package image

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// busyboxTar writes a busybox root file system tar (the layer EnsureBusybox
// makes) and returns its path.
func busyboxTar(b *testing.B) string {
	b.Helper()
	if _, err := os.Stat(BusyboxPath); err != nil {
		b.Skipf("no %s on this host: %v", BusyboxPath, err)
	}
	out, err := execOutput(BusyboxPath, "--list")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeBusybox(&buf, BusyboxPath, strings.Fields(out), time.Unix(1700000000, 0)); err != nil {
		b.Fatal(err)
	}
	return writeFile(b, filepath.Join(b.TempDir(), "busybox.tar"), buf.Bytes())
}

// BenchmarkImportBusyboxTar imports a busybox rootfs tar (1 binary, ~270
// applet symlinks, a few dirs and files): cold into an empty store, with
// and without syncfs, and warm, where the layer exists already.
func BenchmarkImportBusyboxTar(b *testing.B) {
	p := busyboxTar(b)
	for _, c := range []struct {
		name string
		opts Options
		warm bool
	}{
		{"cold", Options{NoSync: true}, false},
		{"cold-syncfs", Options{}, false},
		{"warm", Options{NoSync: true}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			root := b.TempDir()
			s, err := Open(filepath.Join(root, "warm"), c.opts)
			if err != nil {
				b.Fatal(err)
			}
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !c.warm {
					b.StopTimer()
					setup := cpuTime()
					os.RemoveAll(s.Dir())
					if s, err = Open(s.Dir(), c.opts); err != nil {
						b.Fatal(err)
					}
					cpu0 += cpuTime() - setup
					b.StartTimer()
				}
				if _, err := s.Import("busybox", p); err != nil {
					b.Fatal(err)
				}
			}
			// The machine is shared: CPU time (user+sys, without the
			// set-up) is steadier than wall time under load.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkResolve is what the runtime pays per container start.
func BenchmarkResolve(b *testing.B) {
	s := openStore(b)
	p := writeFile(b, filepath.Join(b.TempDir(), "r.tar"), tarDir(b, makeRootfs(b)))
	if _, err := s.Import("app", p); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Resolve("app"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnsureBusybox assembles the busybox image into an empty store
// (what the first busybox pod of a new $MIN_HOME pays), with syncfs.
func BenchmarkEnsureBusybox(b *testing.B) {
	if _, err := os.Stat(BusyboxPath); err != nil {
		b.Skipf("no %s on this host: %v", BusyboxPath, err)
	}
	dir := filepath.Join(b.TempDir(), "images")
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.RemoveAll(dir)
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.EnsureBusybox(); err != nil {
			b.Fatal(err)
		}
	}
}
