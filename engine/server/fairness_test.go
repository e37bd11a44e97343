package server_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
)

// gatedLists is an engine whose lists wait for the test: each List
// reports on entered, then waits for a value on release.
type gatedLists struct {
	*engine.Engine
	entered chan struct{}
	release chan struct{}
	running atomic.Int32
	most    atomic.Int32
}

func (g *gatedLists) List(ctx context.Context, resource string, opts engine.ListOptions) (*engine.List, error) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for m := g.most.Load(); n > m && !g.most.CompareAndSwap(m, n); m = g.most.Load() {
	}
	g.entered <- struct{}{}
	<-g.release
	return g.Engine.List(ctx, resource, opts)
}

func newGatedServer(t *testing.T, concurrency int) (*server.Server, *gatedLists) {
	e := enginetest.InProcess(t)
	g := &gatedLists{Engine: e, entered: make(chan struct{}, 16), release: make(chan struct{})}
	return server.New(g, server.Options{Log: log.New(io.Discard, "", 0), ListConcurrency: concurrency}), g
}

// TestListsLeaveRoomForGets: while as many lists as ListConcurrency
// allows are being built, a further list waits its turn and a get is
// served at once; the waiting list runs when a slot frees.
func TestListsLeaveRoomForGets(t *testing.T) {
	s, g := newGatedServer(t, 1)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", pod); a.code != 201 {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	list := func() {
		defer wg.Done()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/namespaces/default/pods", nil))
		codes <- rec.Code
	}
	wg.Add(2)
	go list()
	<-g.entered // the first list holds the one slot
	go list()
	if a := do(t, s, "GET", "/api/v1/namespaces/default/pods/web", "", ""); a.code != 200 {
		t.Fatalf("get while a list is built: %d %s", a.code, a.raw)
	}
	select {
	case <-g.entered:
		t.Fatal("a second list started while the first held the only slot")
	case <-time.After(50 * time.Millisecond):
	}
	g.release <- struct{}{} // the first ends; the second may start
	<-g.entered
	g.release <- struct{}{}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("list: %d", c)
		}
	}
	if m := g.most.Load(); m != 1 {
		t.Errorf("%d lists ran at once, want 1", m)
	}
}

// TestListWaitEndsWithRequest: a list waiting for a slot gives up with a
// Timeout Status when its request ends, and never reaches the engine.
func TestListWaitEndsWithRequest(t *testing.T) {
	s, g := newGatedServer(t, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/pods", nil))
	}()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/pods?watch=true", nil).WithContext(ctx))
	if rec.Code != http.StatusGatewayTimeout {
		t.Errorf("watch waiting for a slot, request ended: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/pods", nil).WithContext(ctx))
	if rec.Code != http.StatusGatewayTimeout {
		t.Errorf("list waiting for a slot, request ended: %d %s", rec.Code, rec.Body.String())
	}
	g.release <- struct{}{}
	<-done
	if m := g.most.Load(); m != 1 {
		t.Errorf("%d lists reached the engine at once", m)
	}
}

// TestDefaultListConcurrency keeps one CPU out of the lists' reach.
func TestDefaultListConcurrency(t *testing.T) {
	cases := []struct{ procs, want int }{{1, 1}, {2, 1}, {4, 3}}
	for _, c := range cases {
		old := runtime.GOMAXPROCS(c.procs)
		got := server.DefaultListConcurrency()
		runtime.GOMAXPROCS(old)
		if got != c.want {
			t.Errorf("GOMAXPROCS %d: %d, want %d", c.procs, got, c.want)
		}
	}
}

// sharedLists is an engine with ListShared, which counts its calls and
// keeps the objects it handed out, to check that no one changed them.
type sharedLists struct {
	*engine.Engine
	calls  int
	handed []api.Object
	before []api.Object
}

func (s *sharedLists) ListShared(ctx context.Context, resource string, opts engine.ListOptions) (*engine.List, error) {
	s.calls++
	l, err := s.Engine.List(ctx, resource, opts)
	if err == nil {
		s.handed = append(s.handed, l.Items...)
		for _, o := range l.Items {
			s.before = append(s.before, o.DeepCopyObject())
		}
	}
	return l, err
}

// TestTablesListShared: a Table is built from the engine's shared objects
// (ListShared) and leaves them as they were, whatever includeObject asks;
// a plain list, which sets each item's kind, still gets copies.
func TestTablesListShared(t *testing.T) {
	e := enginetest.InProcess(t)
	sl := &sharedLists{Engine: e}
	s := server.New(sl, server.Options{Log: log.New(io.Discard, "", 0)})
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", pod); a.code != 201 {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	for _, include := range []string{"", "Metadata", "Object", "None"} {
		rec := serveWith(s, "GET", "/api/v1/namespaces/default/pods?includeObject="+include, map[string]string{"Accept": tableAccept})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"web"`) {
			t.Fatalf("includeObject=%s: %d %s", include, rec.Code, rec.Body.String())
		}
	}
	if sl.calls != 4 {
		t.Errorf("%d tables listed through ListShared, want 4", sl.calls)
	}
	for i, o := range sl.handed {
		if !reflect.DeepEqual(o, sl.before[i]) {
			t.Errorf("a shared object changed: %+v, was %+v", o, sl.before[i])
		}
	}
	if rec := serveWith(s, "GET", "/api/v1/namespaces/default/pods", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"kind":"Pod"`) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body.String())
	}
	if sl.calls != 4 {
		t.Errorf("a plain list went through ListShared")
	}
}
