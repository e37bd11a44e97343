package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/minspace/min/engine/api"
)

// recv reads one event or fails after a while.
func recv(t *testing.T, ch <-chan Event) (Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return Event{}, false
}

func watch(t *testing.T, s *Store, resource string, opts WatchOptions) <-chan Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := s.Watch(ctx, resource, opts)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	return ch
}

func TestWatchConcurrentWriters(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ch := watch(t, s, "pods", WatchOptions{})
	const writers, each = 4, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				name := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.Create(pod("default", name, nil)); err != nil {
					t.Error(err)
				}
				if i%3 == 0 {
					if _, err := s.Delete("pods", "default", name, ""); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	// A write to another resource takes a revision but is not a pod event.
	mustCreate(t, s, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n"}})
	wg.Wait()
	want := writers * (each + (each+2)/3)
	seen := map[string]bool{}
	var last int64
	for range want {
		ev, ok := recv(t, ch)
		if !ok {
			t.Fatal("channel closed early")
		}
		rv := rvOf(t, ev.Object)
		if rv <= last {
			t.Fatalf("revision %d after %d: not strictly increasing", rv, last)
		}
		last = rv
		seen[ev.Type+" "+ev.Object.GetObjectMeta().Name] = true
	}
	if len(seen) != want {
		t.Fatalf("saw %d distinct events, want %d", len(seen), want)
	}
	if last != s.Revision() && last != s.Revision()-1 {
		t.Errorf("last pod event at %d, store at %d", last, s.Revision())
	}
}

func TestWatchFromRevision(t *testing.T) {
	s := open(t, t.TempDir(), Options{HistorySize: 100})
	for i := range 10 {
		mustCreate(t, s, pod("default", fmt.Sprint("p", i), nil))
	}
	ch := watch(t, s, "pods", WatchOptions{ResourceVersion: "4"})
	for i := 4; i < 10; i++ {
		ev, _ := recv(t, ch)
		if ev.Type != Added || ev.Object.GetObjectMeta().Name != fmt.Sprint("p", i) {
			t.Fatalf("event %d = %s %s", i, ev.Type, ev.Object.GetObjectMeta().Name)
		}
	}
	// After the history, new writes keep coming.
	mustCreate(t, s, pod("default", "later", nil))
	if ev, _ := recv(t, ch); ev.Object.GetObjectMeta().Name != "later" {
		t.Fatalf("then %s", ev.Object.GetObjectMeta().Name)
	}
	// "" and "0" mean now.
	now := watch(t, s, "pods", WatchOptions{ResourceVersion: "0"})
	mustCreate(t, s, pod("default", "newest", nil))
	if ev, _ := recv(t, now); ev.Object.GetObjectMeta().Name != "newest" {
		t.Fatalf("watch from now saw %s first", ev.Object.GetObjectMeta().Name)
	}
}

func TestWatchTooOld(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{HistorySize: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		mustCreate(t, s, pod("default", fmt.Sprint("p", i), nil))
	}
	tests := []struct {
		rv  string
		msg string
	}{
		{"2", "too old resource version: 2 (5)"},
		{"4", "too old resource version: 4 (5)"},
		{"abc", `invalid resource version "abc"`},
	}
	for _, tc := range tests {
		_, err := s.Watch(context.Background(), "pods", WatchOptions{ResourceVersion: tc.rv})
		if err == nil || err.Error() != tc.msg {
			t.Errorf("watch from %s: %v, want %q", tc.rv, err, tc.msg)
		}
	}
	if _, err := s.Watch(context.Background(), "pods", WatchOptions{ResourceVersion: "5"}); err != nil {
		t.Errorf("watch from the oldest kept revision: %v", err)
	}
	s.Close()
	// After a reopen the history starts empty at the current revision.
	s = open(t, dir, Options{})
	_, err = s.Watch(context.Background(), "pods", WatchOptions{ResourceVersion: "9"})
	var se *api.StatusError
	if !errors.Is(err, api.ErrGone) || !errors.As(err, &se) || se.Code != 410 || se.Reason != "Expired" {
		t.Fatalf("watch from before reopen: %v", err)
	}
	ch := watch(t, s, "pods", WatchOptions{ResourceVersion: "10"})
	mustCreate(t, s, pod("default", "after", nil))
	if ev, _ := recv(t, ch); rvOf(t, ev.Object) != 11 {
		t.Fatalf("after reopen: event at %s", ev.Object.GetObjectMeta().ResourceVersion)
	}
}

func TestWatchSelectors(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ch := watch(t, s, "pods", WatchOptions{Namespace: "default", Labels: labels.SelectorFromSet(labels.Set{"app": "web"}),
		Fields: fields.OneTermNotEqualSelector("status.phase", "Failed")})
	p := pod("default", "p", map[string]string{"app": "db"})
	mustCreate(t, s, pod("other", "p", map[string]string{"app": "web"})) // other namespace: unseen
	mustCreate(t, s, p)                                                  // no match: unseen
	step := func(labelValue, phase string) {
		t.Helper()
		_, err := s.GuaranteedUpdate("pods", "default", "p", func(cur api.Object) (api.Object, error) {
			cur.GetObjectMeta().Labels["app"] = labelValue
			cur.(*api.Pod).Status.Phase = phase
			return cur, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	step("web", "Running") // starts matching: ADDED
	step("web", "Pending") // still matches: MODIFIED
	step("web", "Failed")  // field stops matching: DELETED
	step("db", "Running")  // no match before or after: unseen
	step("web", "Running") // ADDED
	if _, err := s.Delete("pods", "default", "p", ""); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ, phase string
		rev        int64
	}{{Added, "Running", 3}, {Modified, "Pending", 4}, {Deleted, "Pending", 5}, {Added, "Running", 7}, {Deleted, "Running", 8}}
	for _, w := range want {
		ev, _ := recv(t, ch)
		if ev.Type != w.typ || ev.Object.(*api.Pod).Status.Phase != w.phase || rvOf(t, ev.Object) != w.rev {
			t.Fatalf("got %s phase %s at %s, want %+v", ev.Type, ev.Object.(*api.Pod).Status.Phase, ev.Object.GetObjectMeta().ResourceVersion, w)
		}
	}
	_, err := s.Watch(context.Background(), "pods", WatchOptions{Fields: fields.OneTermEqualSelector("spec.bogus", "x")})
	if !errors.Is(err, api.ErrBadRequest) || err.Error() != "field label not supported: spec.bogus" {
		t.Errorf("bad field: %v", err)
	}
}

// A consumer that stops reading does not block writers; once it is
// WatchBuffer events behind, its channel closes after the events already
// queued, and it resumes by watching from the last revision it received.
func TestWatchSlowConsumer(t *testing.T) {
	s := open(t, t.TempDir(), Options{HistorySize: 2000, WatchBuffer: 100})
	ch := watch(t, s, "pods", WatchOptions{})
	const total = 1000
	for i := range total { // nobody reads meanwhile: writers must not block
		mustCreate(t, s, pod("default", fmt.Sprint("p", i), nil))
	}
	var last int64
	for {
		ev, ok := recv(t, ch)
		if !ok {
			break
		}
		time.Sleep(50 * time.Microsecond) // a slow consumer: the channel stays full
		if rv := rvOf(t, ev.Object); rv != last+1 {
			t.Fatalf("event %d after %d: a gap", rv, last)
		} else {
			last = rv
		}
	}
	if last >= total {
		t.Fatalf("the lagging watcher was never closed")
	}
	ch = watch(t, s, "pods", WatchOptions{ResourceVersion: fmt.Sprint(last)})
	for last < total {
		ev, ok := recv(t, ch)
		if !ok {
			t.Fatal("closed again")
		}
		if rv := rvOf(t, ev.Object); rv != last+1 {
			t.Fatalf("resumed at %d after %d", rv, last)
		}
		last++
	}
}

func TestWatchEnds(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Watch(ctx, "pods", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, ok := recv(t, ch); ok {
		t.Fatal("event after cancel")
	}
	ch, _ = s.Watch(context.Background(), "pods", WatchOptions{})
	s.Close()
	if _, ok := recv(t, ch); ok {
		t.Fatal("event after Close")
	}
}

// An informer lists, then watches from the list's revision while writers
// keep going: replaying the events on the list must give the final state.
func TestListThenWatchIsConsistent(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, i%20)
				if _, err := s.Create(pod("default", name, map[string]string{"i": fmt.Sprint(i)})); errors.Is(err, api.ErrAlreadyExists) {
					if i%2 == 0 {
						_, err = s.Delete("pods", "default", name, "")
					} else {
						_, err = s.Update(pod("default", name, map[string]string{"i": fmt.Sprint(i)}))
					}
					if err != nil && !errors.Is(err, api.ErrNotFound) {
						t.Error(err)
					}
				}
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	items, rev, err := s.List("pods", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, o := range items {
		state[o.GetObjectMeta().Name] = o.GetObjectMeta().ResourceVersion
	}
	ch := watch(t, s, "pods", WatchOptions{ResourceVersion: fmt.Sprint(rev)})
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	final := s.Revision()
	for last := rev; last < final; {
		ev, ok := recv(t, ch)
		if !ok {
			t.Fatal("watch closed")
		}
		m := ev.Object.GetObjectMeta()
		if ev.Type == Deleted {
			delete(state, m.Name)
		} else {
			state[m.Name] = m.ResourceVersion
		}
		last = rvOf(t, ev.Object)
	}
	items, _, _ = s.List("pods", ListOptions{})
	if len(items) != len(state) {
		t.Fatalf("replayed %d objects, store has %d", len(state), len(items))
	}
	for _, o := range items {
		if m := o.GetObjectMeta(); state[m.Name] != m.ResourceVersion {
			t.Fatalf("%s: replayed resourceVersion %s, stored %s", m.Name, state[m.Name], m.ResourceVersion)
		}
	}
}
