package printers

import "syscall"

// cpuTime is the CPU time this process has used, all threads together:
// benchmarks report it beside wall time, which a loaded machine inflates.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
