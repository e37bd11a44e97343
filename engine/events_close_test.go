package engine

import (
	"context"
	"testing"

	"github.com/minspace/min/engine/api"
)

// Events queued after the engine's context ended, while Close waits for
// the controllers (the scheduler binding a last burst), are written before
// the store closes.
func TestEventsQueuedWhileClosingAreWritten(t *testing.T) {
	home := t.TempDir()
	e, err := Open(home, Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	pod, err := e.Create(context.Background(), testPod("default", "late", nil), CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.cancel()
	e.wg.Wait() // the controllers have ended, as in Close
	e.events.queue([]*note{e.events.once(pod, "Normal", "Scheduled", schedulerName, "Successfully assigned default/late to n1")})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open(home, Options{NoHostNode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	l, err := e.List(context.Background(), "events", ListOptions{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range l.Items {
		if ev := o.(*api.Event); ev.Reason == "Scheduled" && ev.InvolvedObject.Name == "late" {
			return
		}
	}
	t.Fatalf("the Scheduled event queued while closing was lost: %d events", len(l.Items))
}
