package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type watchLine struct {
	Type   string
	Object struct {
		Kind     string
		Metadata struct {
			Name            string
			ResourceVersion string
			Annotations     map[string]string
		}
	}
}

// TestWatchList: sendInitialEvents=true sends the matching objects as
// ADDED, then the bookmark annotated k8s.io/initial-events-end at the
// snapshot's revision, then live events after it.
func TestWatchList(t *testing.T) {
	s := newServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.CloseStreams)
	for _, name := range []string{"a", "b", "other"} {
		body := strings.Replace(pod, `"name":"web"`, `"name":"`+name+`","labels":{"app":"`+map[bool]string{true: "x", false: "y"}[name != "other"]+`"}`, 1)
		if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", body); a.code != 201 {
			t.Fatalf("create %s: %s", name, a.raw)
		}
	}
	list := do(t, s, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dx", "", "")
	listRV := list.body["metadata"].(map[string]any)["resourceVersion"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dx"+
		"&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion="+listRV, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	next := func() watchLine {
		t.Helper()
		if !sc.Scan() {
			t.Fatalf("stream ended: %v", sc.Err())
		}
		var ev watchLine
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	added := map[string]bool{}
	var ev watchLine
	for ev = next(); ev.Type == "ADDED"; ev = next() {
		added[ev.Object.Metadata.Name] = true
	}
	if len(added) != 2 || !added["a"] || !added["b"] {
		t.Fatalf("initial events: %v", added)
	}
	if ev.Type != "BOOKMARK" || ev.Object.Kind != "Pod" || ev.Object.Metadata.Annotations["k8s.io/initial-events-end"] != "true" {
		t.Fatalf("after the initial events: %s", sc.Text())
	}
	snapshot := ev.Object.Metadata.ResourceVersion
	if cmpRV(snapshot, listRV) < 0 {
		t.Fatalf("bookmark at %s, older than the list's %s", snapshot, listRV)
	}
	body := strings.Replace(pod, `"name":"web"`, `"name":"c","labels":{"app":"x"}`, 1)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", body); a.code != 201 {
		t.Fatalf("create c: %s", a.raw)
	}
	// Live events: bookmarks, and the scheduler's status writes for a and
	// b (no node: Unschedulable) may come before c's ADDED; all are newer
	// than the snapshot.
	for ev = next(); ev.Type != "ADDED" || ev.Object.Metadata.Name != "c"; ev = next() {
		if ev.Type == "BOOKMARK" {
			continue
		}
		if ev.Type != "MODIFIED" || !added[ev.Object.Metadata.Name] || cmpRV(ev.Object.Metadata.ResourceVersion, snapshot) <= 0 {
			t.Fatalf("live event: %s", sc.Text())
		}
	}
	if cmpRV(ev.Object.Metadata.ResourceVersion, snapshot) <= 0 {
		t.Fatalf("live event older than the snapshot: %s", sc.Text())
	}
}

// cmpRV compares two numeric resourceVersions.
func cmpRV(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func TestWatchListValidation(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, query string
		code        int
		want        string
	}{
		{"no bookmarks", "sendInitialEvents=true&resourceVersionMatch=NotOlderThan", 422,
			`ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is set to true`},
		{"no match", "sendInitialEvents=true&allowWatchBookmarks=true", 422,
			`ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`},
		{"exact", "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=Exact", 422,
			`ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]`},
		{"match alone", "resourceVersionMatch=NotOlderThan", 422,
			`ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided`},
		{"too large", "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=99999999", 504,
			"Too large resource version: 99999999, current: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, "GET", "/api/v1/namespaces/default/pods?watch=true&"+tc.query, "", "")
			if a.code != tc.code {
				t.Fatalf("code %d: %s", a.code, a.raw)
			}
			if msg, _ := a.body["message"].(string); !strings.HasPrefix(msg, tc.want) {
				t.Fatalf("message %q, want %q", msg, tc.want)
			}
		})
	}
}

// TestWatchListTable: a Table watch-list stream sends one-row Tables,
// then the same closing bookmark.
func TestWatchListTable(t *testing.T) {
	s := newServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.CloseStreams)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", pod); a.code != 201 {
		t.Fatalf("create: %s", a.raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/namespaces/default/pods?watch=true"+
		"&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", nil)
	req.Header.Set("Accept", tableAccept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var kinds []string
	for len(kinds) < 2 && sc.Scan() {
		var ev watchLine
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, ev.Type+" "+ev.Object.Kind)
		if ev.Type == "BOOKMARK" && ev.Object.Metadata.Annotations["k8s.io/initial-events-end"] != "true" {
			t.Fatalf("bookmark without the annotation: %s", sc.Text())
		}
	}
	if strings.Join(kinds, ", ") != "ADDED Table, BOOKMARK Pod" {
		t.Fatalf("events: %v (%v)", kinds, sc.Err())
	}
}
