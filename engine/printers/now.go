package printers

import (
	"os"
	"time"
)

// NowEnv names the variable that pins the clock ages count to (RFC 3339),
// so that golden tests print the same AGE on any day: minish's own
// printing and the engine's server-side Tables both read it.
const NowEnv = "MIN_NOW"

// Now is the time ages count to: $MIN_NOW when set and valid, else now.
func Now() time.Time {
	if v := os.Getenv(NowEnv); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
	}
	return time.Now()
}
