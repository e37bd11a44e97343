//go:build !linux

package sched

import "time"

// cpuTime is not measured off Linux; the cpu-µs/pod metric reads 0.
func cpuTime() time.Duration { return 0 }
