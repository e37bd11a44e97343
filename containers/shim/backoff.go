package shim

import "time"

// backoff is Kubernetes' container restart back-off: the first restart is
// immediate, then initial, doubling up to max; it starts over when the
// container has not restarted for 2×max.
type backoff struct {
	initial, max time.Duration
	cur          time.Duration
	last         time.Time
}

// next returns how long to wait before restarting at now.
func (b *backoff) next(now time.Time) time.Duration {
	if b.cur == 0 || now.Sub(b.last) > 2*b.max {
		b.cur, b.last = b.initial, now
		return 0
	}
	d := b.cur
	b.cur = min(2*b.cur, b.max)
	b.last = now
	return d
}

// shouldRestart applies a restart policy to an exit code.
func shouldRestart(policy string, exitCode int) bool {
	switch policy {
	case "Never":
		return false
	case "OnFailure":
		return exitCode != 0
	default: // Always, and Kubernetes' default when empty
		return true
	}
}
