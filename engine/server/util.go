package server

import "time"

// secondsDuration converts seconds to a Duration, capped so that it never
// overflows.
func secondsDuration(n int64) time.Duration {
	const maxSeconds = int64(1<<63-1) / int64(time.Second)
	return time.Duration(min(n, maxSeconds)) * time.Second
}
