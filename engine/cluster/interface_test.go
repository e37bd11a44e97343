package cluster

import "testing"

// A size not taken yet is replaced by the next: the exec sees the latest.
func TestOfferTerminalSizeKeepsTheLatest(t *testing.T) {
	sizes := make(chan TerminalSize, 1)
	OfferTerminalSize(sizes, TerminalSize{Width: 100, Height: 30})
	OfferTerminalSize(sizes, TerminalSize{Width: 80, Height: 24})
	if got := <-sizes; got != (TerminalSize{Width: 80, Height: 24}) {
		t.Fatalf("got %+v, want the latest size 80x24", got)
	}
	select {
	case extra := <-sizes:
		t.Fatalf("a stale size stayed queued: %+v", extra)
	default:
	}
}
