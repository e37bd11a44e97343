package shim

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	b := backoff{initial: 10 * time.Second, max: 300 * time.Second}
	now := time.Unix(0, 0)
	var got []time.Duration
	for range 9 {
		got = append(got, b.next(now))
		now = now.Add(time.Second)
	}
	want := []time.Duration{0, 10, 20, 40, 80, 160, 300, 300, 300}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("back-off sequence = %v, want %v s", got, want)
		}
	}
	// Quiet for more than 2×max: starts over.
	if d := b.next(now.Add(601 * time.Second)); d != 0 {
		t.Errorf("after 10 min quiet: %v, want 0", d)
	}
}

func TestShouldRestart(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		code   int
		want   bool
	}{
		{"always success", "Always", 0, true},
		{"always failure", "Always", 1, true},
		{"default", "", 0, true},
		{"onfailure success", "OnFailure", 0, false},
		{"onfailure failure", "OnFailure", 2, true},
		{"never failure", "Never", 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := shouldRestart(tc.policy, tc.code); got != tc.want {
				t.Errorf("shouldRestart(%q, %d) = %v", tc.policy, tc.code, got)
			}
		})
	}
}
