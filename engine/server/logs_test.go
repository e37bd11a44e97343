package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine"
)

func TestLogsQueryParameters(t *testing.T) {
	env := newStreamEnv(t)
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name, query string
		code        int
		body        string // the whole body, or a substring of the Status message
		opts        engine.LogOptions
	}{
		{name: "plain", query: "", code: 200, body: "line 1\nline 2\nline 3\nline 4\nline 5\n"},
		{name: "kubectl's flags", query: "container=c&follow=false&previous=true&timestamps=true&tailLines=2&sinceSeconds=30", code: 200,
			body: "line 1\nline 2\nline 3\nline 4\nline 5\n",
			opts: engine.LogOptions{Container: "c", Previous: true, Timestamps: true, TailLines: n(2), SinceSeconds: n(30)}},
		{name: "limitBytes cuts the stream", query: "limitBytes=10", code: 200, body: "line 1\nlin"},
		{name: "limitBytes ends a followed stream", query: "limitBytes=14&follow=true", code: 200, body: "line 1\nline 2\n",
			opts: engine.LogOptions{Follow: true}},
		{name: "sinceTime in seconds", query: "sinceTime=" + time.Now().Add(-90*time.Second).UTC().Format(time.RFC3339), code: 200,
			body: "line 1\nline 2\nline 3\nline 4\nline 5\n", opts: engine.LogOptions{SinceSeconds: n(91)}},
		{name: "sinceTime and sinceSeconds", query: "sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z", code: 400,
			body: "at most one of `sinceTime` or `sinceSeconds` may be specified"},
		{name: "bad sinceTime", query: "sinceTime=yesterday", code: 400, body: `sinceTime: invalid time`},
		{name: "negative tail", query: "tailLines=-1", code: 400, body: "tailLines: Invalid value"},
		{name: "zero limitBytes", query: "limitBytes=0", code: 400, body: "limitBytes: Invalid value: must be greater than 0"},
		{name: "zero sinceSeconds", query: "sinceSeconds=0", code: 400, body: "sinceSeconds: Invalid value: must be greater than 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", env.url+"/api/v1/namespaces/default/pods/web/log?"+tc.query, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.code {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			if tc.code != 200 {
				if !strings.Contains(string(b), tc.body) {
					t.Fatalf("%s, want %q", b, tc.body)
				}
				return
			}
			if string(b) != tc.body || resp.Header.Get("Content-Type") != "text/plain" {
				t.Fatalf("body %q (%s), want %q", b, resp.Header.Get("Content-Type"), tc.body)
			}
			env.eng.mu.Lock()
			got := env.eng.logs
			env.eng.mu.Unlock()
			if !sameLogOptions(got, tc.opts) {
				t.Fatalf("options %+v, want %+v", got, tc.opts)
			}
		})
	}
}

func sameLogOptions(a, b engine.LogOptions) bool {
	eq := func(x, y *int64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Container == b.Container && a.Follow == b.Follow && a.Previous == b.Previous && a.Timestamps == b.Timestamps &&
		eq(a.TailLines, b.TailLines) && eq(a.SinceSeconds, b.SinceSeconds)
}
