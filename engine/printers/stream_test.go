package printers

import (
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// TestStream is `kubectl get pods -w`: the list with its header, then
// each change as a row under it, columns never narrowing.
func TestStream(t *testing.T) {
	var b strings.Builder
	s := NewStream(&b, Options{})
	table := func(objs ...api.Object) *Table {
		tbl, err := TableFor("pods", objs, now)
		if err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	pods := kubiaPods()
	for _, tbl := range []*Table{
		table(pods[:2]...),
		table(pod("a", time.Second)),
		table(),
		table(pods[2]),
	} {
		if err := s.Print(tbl); err != nil {
			t.Fatal(err)
		}
	}
	want := "" +
		"NAME           READY   STATUS    RESTARTS   AGE$\n" +
		"kubia-manual   1/1     Running   0          5m10s$\n" +
		"kubia-gpu      0/1     Pending   0          7s$\n" +
		"a              0/1     Pending   0          1s$\n" +
		"crash          0/1     CrashLoopBackOff   4 (33s ago)   2m3s$\n"
	if got := dollar(b.String()); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestStreamEmptyFirst: an empty first list prints nothing; the header
// comes with the first row.
func TestStreamEmptyFirst(t *testing.T) {
	var b strings.Builder
	s := NewStream(&b, Options{})
	empty, _ := TableFor("pods", nil, now)
	one, _ := TableFor("pods", []api.Object{pod("a", time.Second)}, now)
	if err := s.Print(empty); err != nil {
		t.Fatal(err)
	}
	if err := s.Print(one); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "NAME   READY   STATUS    RESTARTS   AGE\na      0/1     Pending   0          1s\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
