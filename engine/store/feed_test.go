package store

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// feedAll reads a feed until it has nothing new.
func feedAll(t *testing.T, f *Feed) ([]Event, <-chan struct{}) {
	t.Helper()
	var all []Event
	for {
		evs, wake, err := f.Next(nil)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		all = append(all, evs...)
		if wake != nil {
			return all, wake
		}
	}
}

func TestFeed(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	mustCreate(t, s, pod("default", "before", nil))
	f, err := s.Feed("pods", WatchOptions{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	evs, wake := feedAll(t, f)
	if len(evs) != 0 {
		t.Fatalf("a feed from now got %d events of the past", len(evs))
	}
	// A write of another resource does not wake a pod feed.
	mustCreate(t, s, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "other"}})
	select {
	case <-wake:
		t.Fatal("a namespace's write woke the pod feed")
	case <-time.After(20 * time.Millisecond):
	}
	for i := range 600 { // more than one Next returns at once
		mustCreate(t, s, pod("default", fmt.Sprintf("p%03d", i), nil))
	}
	if _, err := s.Delete("pods", "default", "p000", ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(10 * time.Second):
		t.Fatal("pod writes did not wake the feed")
	}
	evs, _ = feedAll(t, f)
	if len(evs) != 601 {
		t.Fatalf("got %d events, want 601", len(evs))
	}
	last := int64(0)
	for i, ev := range evs[:600] {
		if ev.Type != Added || ev.Object.GetObjectMeta().Name != fmt.Sprintf("p%03d", i) {
			t.Fatalf("event %d: %s %s", i, ev.Type, ev.Object.GetObjectMeta().Name)
		}
		rv := rvOf(t, ev.Object)
		if rv <= last {
			t.Fatalf("event %d: revision %d after %d", i, rv, last)
		}
		last = rv
	}
	if ev := evs[600]; ev.Type != Deleted || ev.Object.GetObjectMeta().Name != "p000" {
		t.Fatalf("last event: %s %s, want DELETED p000", ev.Type, ev.Object.GetObjectMeta().Name)
	}
}

func TestFeedFallsOutOfHistory(t *testing.T) {
	s := open(t, t.TempDir(), Options{HistorySize: 10})
	start := mustCreate(t, s, pod("default", "start", nil))
	f, err := s.Feed("pods", WatchOptions{ResourceVersion: start.GetObjectMeta().ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		mustCreate(t, s, pod("default", "p"+strconv.Itoa(i), nil))
	}
	if _, _, err := f.Next(nil); !errors.Is(err, api.ErrGone) {
		t.Fatalf("Next after the history moved on: %v, want Gone", err)
	}
}

func TestFeedSkipsOtherResources(t *testing.T) {
	s := open(t, t.TempDir(), Options{HistorySize: 10})
	f, err := s.Feed("pods", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Many more writes of another resource than the history holds: the
	// pod feed has missed nothing, so it must not fail with Gone.
	for i := range 30 {
		mustCreate(t, s, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "ns" + strconv.Itoa(i)}})
	}
	evs, _ := feedAll(t, f)
	if len(evs) != 0 {
		t.Fatalf("got %d pod events", len(evs))
	}
	mustCreate(t, s, pod("default", "p", nil))
	if evs, _ = feedAll(t, f); len(evs) != 1 || evs[0].Object.GetObjectMeta().Name != "p" {
		t.Fatalf("after a pod's creation: %v", evs)
	}
}

func TestFeedClosed(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Feed("pods", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, _, err := f.Next(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
}
