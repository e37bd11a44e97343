package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/openapi"
	openapiv2 "github.com/minspace/min/engine/openapi/v2"
	"github.com/minspace/min/engine/server"
)

// tableAccept is what kubectl get sends for human-readable output.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

// doAccept is do with an Accept header.
func doAccept(t testing.TB, h http.Handler, method, target, accept, ctype, body string) answer {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Accept", accept)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{code: rec.Code, raw: rec.Body.String()}
	json.Unmarshal(rec.Body.Bytes(), &a.body)
	if ct := rec.Header().Get("Content-Type"); a.body != nil {
		a.body["_contentType"] = ct
	}
	return a
}

func TestDiscovery(t *testing.T) {
	s := newServer(t)
	a := do(t, s, "GET", "/api", "", "")
	if a.code != 200 || a.body["kind"] != "APIVersions" || a.body["versions"].([]any)[0] != "v1" {
		t.Fatalf("/api: %d %s", a.code, a.raw)
	}
	if a := do(t, s, "GET", "/apis", "", ""); a.code != 200 || a.body["kind"] != "APIGroupList" || len(a.body["groups"].([]any)) != 0 {
		t.Fatalf("/apis: %d %s", a.code, a.raw)
	}
	a = do(t, s, "GET", "/api/v1", "", "")
	if a.code != 200 || a.body["kind"] != "APIResourceList" || a.body["groupVersion"] != "v1" {
		t.Fatalf("/api/v1: %d %s", a.code, a.raw)
	}
	byName := map[string]map[string]any{}
	for _, r := range a.body["resources"].([]any) {
		m := r.(map[string]any)
		byName[m["name"].(string)] = m
	}
	cases := []struct {
		name, kind, short, category string
		namespaced                  bool
	}{
		{"pods", "Pod", "po", "all", true},
		{"nodes", "Node", "no", "", false},
		{"namespaces", "Namespace", "ns", "", false},
		{"replicationcontrollers", "ReplicationController", "rc", "all", true},
		{"events", "Event", "ev", "", true},
		{"pods/log", "Pod", "", "", true},
		{"pods/exec", "PodExecOptions", "", "", true},
		{"pods/portforward", "PodPortForwardOptions", "", "", true},
		{"pods/status", "Pod", "", "", true},
		{"replicationcontrollers/scale", "Scale", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := byName[tc.name]
			if r == nil || r["kind"] != tc.kind || r["namespaced"] != tc.namespaced || len(r["verbs"].([]any)) == 0 {
				t.Fatalf("%v", r)
			}
			if tc.short != "" && r["shortNames"].([]any)[0] != tc.short {
				t.Fatalf("shortNames %v", r["shortNames"])
			}
			if cats, _ := r["categories"].([]any); tc.category != "" && (len(cats) != 1 || cats[0] != tc.category) || tc.category == "" && len(cats) != 0 {
				t.Fatalf("categories %v", r["categories"])
			}
		})
	}
	if sc := byName["replicationcontrollers/scale"]; sc["group"] != "autoscaling" || sc["version"] != "v1" {
		t.Fatalf("scale group/version: %v", sc)
	}
}

func TestTables(t *testing.T) {
	s := newServer(t)
	labelled := strings.Replace(pod, `"name":"web"`, `"name":"web","labels":{"app":"kubia"}`, 1)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", labelled); a.code != 201 {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	cases := []struct {
		name, target string
		rows         int
		object       string // kind of the row object, "" for none
	}{
		{"list", "/api/v1/namespaces/default/pods?limit=500", 1, "PartialObjectMetadata"},
		{"all namespaces", "/api/v1/pods", 1, "PartialObjectMetadata"},
		{"selector", "/api/v1/pods?labelSelector=app%3Dother", 0, ""},
		{"field selector", "/api/v1/pods?fieldSelector=metadata.name%3Dweb", 1, "PartialObjectMetadata"},
		{"one object", "/api/v1/namespaces/default/pods/web", 1, "PartialObjectMetadata"},
		{"whole objects", "/api/v1/pods?includeObject=Object", 1, "Pod"},
		{"no objects", "/api/v1/pods?includeObject=None", 1, ""},
		{"namespaces", "/api/v1/namespaces", 3, "PartialObjectMetadata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := doAccept(t, s, "GET", tc.target, tableAccept, "", "")
			if a.code != 200 || a.body["kind"] != "Table" || a.body["apiVersion"] != "meta.k8s.io/v1" ||
				a.body["_contentType"] != "application/json;as=Table;v=v1;g=meta.k8s.io" {
				t.Fatalf("%d %s", a.code, a.raw)
			}
			rows := a.body["rows"].([]any)
			if len(rows) < tc.rows || tc.rows == 0 && len(rows) != 0 || len(a.body["columnDefinitions"].([]any)) == 0 {
				t.Fatalf("rows: %s", a.raw)
			}
			if len(rows) == 0 {
				return
			}
			row := rows[0].(map[string]any)
			obj, _ := row["object"].(map[string]any)
			if kind, _ := obj["kind"].(string); kind != tc.object {
				t.Fatalf("row object %v, want kind %q", row["object"], tc.object)
			}
			if tc.object == "PartialObjectMetadata" && tc.name != "namespaces" {
				md := obj["metadata"].(map[string]any)
				if md["namespace"] != "default" || md["labels"].(map[string]any)["app"] != "kubia" {
					t.Fatalf("row metadata %v", md)
				}
			}
			if cells := row["cells"].([]any); tc.name != "namespaces" && (cells[0] != "web" || len(cells) != 9) {
				t.Fatalf("cells %v", cells)
			}
		})
	}
	// Without the Table Accept, objects as before.
	if a := doAccept(t, s, "GET", "/api/v1/pods", "application/json", "", ""); a.body["kind"] != "PodList" {
		t.Fatalf("plain list: %s", a.raw)
	}
	if a := doAccept(t, s, "GET", "/api/v1/pods?includeObject=Everything", tableAccept, "", ""); a.code != 400 {
		t.Fatalf("bad includeObject: %d %s", a.code, a.raw)
	}
}

func TestWatchTable(t *testing.T) {
	s := newServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.CloseStreams)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/namespaces/default/pods?watch=true&resourceVersion=0", nil)
	req.Header.Set("Accept", tableAccept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json;as=Table;v=v1;g=meta.k8s.io" {
		t.Fatalf("content type %q", ct)
	}
	for _, name := range []string{"a", "b"} {
		if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", strings.Replace(pod, `"web"`, `"`+name+`"`, 1)); a.code != 201 {
			t.Fatalf("create: %s", a.raw)
		}
	}
	// The scheduler's status updates come as MODIFIED events in between.
	sc := bufio.NewScanner(resp.Body)
	added := map[string]bool{}
	for i := 0; !added["a"] || !added["b"]; i++ {
		if !sc.Scan() {
			t.Fatalf("event %d: %v", i, sc.Err())
		}
		var ev struct {
			Type   string
			Object struct {
				Kind    string
				Columns []any `json:"columnDefinitions"`
				Rows    []struct{ Cells []any }
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Object.Kind != "Table" || len(ev.Object.Rows) != 1 {
			t.Fatalf("event %d: %s", i, sc.Text())
		}
		if (i == 0) != (len(ev.Object.Columns) > 0) {
			t.Fatalf("event %d: columns only in the first event: %s", i, sc.Text())
		}
		if name, _ := ev.Object.Rows[0].Cells[0].(string); ev.Type == "ADDED" {
			added[name] = true
		}
	}
}

func TestPatchTypes(t *testing.T) {
	s := newServer(t)
	twoPorts := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"a":"1"}},"spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":80}]},{"name":"d","image":"busybox"}]}}`
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", twoPorts); a.code != 201 {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	const path = "/api/v1/namespaces/default/pods/web"
	cases := []struct {
		name, ctype, body string
		code              int
		check             func(map[string]any) bool
	}{
		{"strategic merges containers by name", "application/strategic-merge-patch+json",
			`{"metadata":{"labels":{"b":"2"}},"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],"containers":[{"name":"d","image":"busybox:2"}]}}`, 200,
			func(p map[string]any) bool {
				cs := p["spec"].(map[string]any)["containers"].([]any)
				l := p["metadata"].(map[string]any)["labels"].(map[string]any)
				return len(cs) == 2 && cs[1].(map[string]any)["image"] == "busybox:2" && cs[0].(map[string]any)["image"] == "busybox" && l["a"] == "1" && l["b"] == "2"
			}},
		{"json patch", "application/json-patch+json", `[{"op":"replace","path":"/metadata/labels/a","value":"x"}]`, 200,
			func(p map[string]any) bool {
				return p["metadata"].(map[string]any)["labels"].(map[string]any)["a"] == "x"
			}},
		{"json patch test fails", "application/json-patch+json", `[{"op":"test","path":"/metadata/labels/a","value":"nope"}]`, 422, nil},
		{"merge patch", "application/merge-patch+json", `{"metadata":{"labels":{"b":null}}}`, 200,
			func(p map[string]any) bool {
				_, ok := p["metadata"].(map[string]any)["labels"].(map[string]any)["b"]
				return !ok
			}},
		{"strategic with a stale resourceVersion", "application/strategic-merge-patch+json", `{"metadata":{"resourceVersion":"1","labels":{"c":"3"}}}`, 409, nil},
		{"strategic unknown field strict", "application/strategic-merge-patch+json", `{"spec":{"bogus":1}}`, 200, nil},
		{"apply patch", "application/apply-patch+yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    applied: \"yes\"\n", 200,
			func(p map[string]any) bool {
				return p["metadata"].(map[string]any)["labels"].(map[string]any)["applied"] == "yes"
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, "PATCH", path, tc.ctype, tc.body)
			if a.code != tc.code || tc.check != nil && !tc.check(a.body) {
				t.Fatalf("%d %s", a.code, a.raw)
			}
		})
	}
	if a := do(t, s, "PATCH", path+"?fieldValidation=Strict", "application/strategic-merge-patch+json", `{"spec":{"bogus":1}}`); a.code != 400 ||
		!strings.Contains(a.body["message"].(string), `strict decoding error: unknown field "spec.bogus"`) {
		t.Fatalf("strict: %d %s", a.code, a.raw)
	}
	// Server-side apply creates what is missing.
	applied := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: fresh\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
	if a := do(t, s, "PATCH", "/api/v1/namespaces/default/pods/fresh?fieldManager=kubectl&force=false", "application/apply-patch+yaml", applied); a.code != 201 || a.body["kind"] != "Pod" {
		t.Fatalf("apply create: %d %s", a.code, a.raw)
	}
}

func TestScale(t *testing.T) {
	s := newServer(t)
	rc := `{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"kubia"},"spec":{"replicas":3,"selector":{"app":"kubia"},"template":{"metadata":{"labels":{"app":"kubia"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`
	if a := do(t, s, "POST", "/api/v1/namespaces/default/replicationcontrollers", "", rc); a.code != 201 {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	const path = "/api/v1/namespaces/default/replicationcontrollers/kubia/scale"
	replicas := func(a answer) any { return a.body["spec"].(map[string]any)["replicas"] }
	a := do(t, s, "GET", path, "", "")
	if a.code != 200 || a.body["kind"] != "Scale" || a.body["apiVersion"] != "autoscaling/v1" || replicas(a) != 3.0 ||
		a.body["status"].(map[string]any)["selector"] != "app=kubia" {
		t.Fatalf("get: %d %s", a.code, a.raw)
	}
	if a := do(t, s, "PATCH", path, "application/merge-patch+json", `{"spec":{"replicas":5}}`); a.code != 200 || replicas(a) != 5.0 {
		t.Fatalf("merge patch: %d %s", a.code, a.raw)
	}
	if a := do(t, s, "PUT", path, "application/json", `{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"kubia"},"spec":{"replicas":2}}`); a.code != 200 || replicas(a) != 2.0 {
		t.Fatalf("put: %d %s", a.code, a.raw)
	}
	if a := do(t, s, "PATCH", path, "application/merge-patch+json", `{"spec":{"replicas":-1}}`); a.code != 422 {
		t.Fatalf("negative: %d %s", a.code, a.raw)
	}
	if a := do(t, s, "GET", "/api/v1/namespaces/default/replicationcontrollers/kubia", "", ""); a.body["spec"].(map[string]any)["replicas"] != 2.0 {
		t.Fatalf("rc: %s", a.raw)
	}
	if a := do(t, s, "GET", "/api/v1/namespaces/default/replicationcontrollers/nope/scale", "", ""); a.code != 404 {
		t.Fatalf("missing: %d %s", a.code, a.raw)
	}
}

// kubectlNamespace is the body kubectl 1.32 posts for `kubectl create
// namespace custom2` (captured with -v=8).
var kubectlNamespace = []byte{
	0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x4e, 0x61, 0x6d, 0x65,
	0x73, 0x70, 0x61, 0x63, 0x65, 0x12, 0x1f, 0x0a, 0x17, 0x0a, 0x07, 0x63, 0x75, 0x73, 0x74, 0x6f,
	0x6d, 0x32, 0x12, 0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00,
	0x12, 0x00, 0x1a, 0x02, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00,
}

func TestProtobufNamespace(t *testing.T) {
	s := newServer(t)
	a := do(t, s, "POST", "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict", "application/vnd.kubernetes.protobuf", string(kubectlNamespace))
	if a.code != 201 || a.body["kind"] != "Namespace" || a.body["metadata"].(map[string]any)["name"] != "custom2" {
		t.Fatalf("%d %s", a.code, a.raw)
	}
	// Every truncation of the body is refused without a panic.
	for i := 0; i < len(kubectlNamespace); i++ {
		if a := do(t, s, "POST", "/api/v1/namespaces?dryRun=All", "application/vnd.kubernetes.protobuf", string(kubectlNamespace[:i])); a.code == 201 && i < 30 || a.code >= 500 {
			t.Fatalf("truncated at %d: %d %s", i, a.code, a.raw)
		}
	}
}

func TestOpenAPI(t *testing.T) {
	s := newServer(t)
	a := do(t, s, "GET", "/openapi/v3", "", "")
	url := a.body["paths"].(map[string]any)["api/v1"].(map[string]any)["serverRelativeURL"].(string)
	if a.code != 200 || url != "/openapi/v3/api/v1?hash="+openapi.Hash() {
		t.Fatalf("index: %d %s", a.code, a.raw)
	}
	req := httptest.NewRequest("GET", url, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, immutable" || rec.Header().Get("Etag") != `"`+openapi.Hash()+`"` || rec.Body.Len() != len(openapi.V1()) {
		t.Fatalf("document: %d %v", rec.Code, rec.Header())
	}
	req = httptest.NewRequest("GET", "/openapi/v3/api/v1?hash=OLD", nil)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 301 || rec.Header().Get("Location") != url {
		t.Fatalf("old hash: %d %v", rec.Code, rec.Header())
	}
}

func TestDeleteCollection(t *testing.T) {
	s := newServer(t)
	for _, n := range []string{"a", "b"} {
		if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", strings.Replace(pod, `"web"`, `"`+n+`"`, 1)); a.code != 201 {
			t.Fatal(a.raw)
		}
	}
	a := do(t, s, "DELETE", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Da", "application/json", `{"propagationPolicy":"Background","gracePeriodSeconds":0}`)
	if a.code != 200 || len(a.body["items"].([]any)) != 1 {
		t.Fatalf("%d %s", a.code, a.raw)
	}
	if a := do(t, s, "GET", "/api/v1/namespaces/default/pods/b", "", ""); a.code != 200 {
		t.Fatalf("b: %d %s", a.code, a.raw)
	}
}

func TestOpenAPIV2(t *testing.T) {
	s := newServer(t)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi/v2", nil))
	want, err := openapiv2.Protobuf()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || rec.Header().Get("Content-Type") != openapiv2.ProtobufType || rec.Body.String() != string(want) {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}

func TestStrictDecodingPaths(t *testing.T) {
	s := newServer(t)
	cases := []struct{ name, body, want string }{
		{"nested", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","foo":1}]}}`,
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].foo"`},
		{"several", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","bar":2},"spec":{"foo":1,"containers":[{"name":"c","image":"i"}]}}`,
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.bar", unknown field "spec.foo"`},
		{"top level", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spek":{}}`,
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spek"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, "POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", "application/json", tc.body)
			if a.code != 400 || a.body["message"] != tc.want {
				t.Fatalf("%d %s", a.code, a.raw)
			}
		})
	}
	// Without Strict the unknown fields are dropped.
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", cases[0].body); a.code != 201 {
		t.Fatalf("ignore: %d %s", a.code, a.raw)
	}
}

func TestWatchTableBadIncludeObject(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := httptest.NewRequest("GET", "/api/v1/pods?watch=true&includeObject=All", nil).WithContext(ctx)
	req.Header.Set("Accept", tableAccept)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "includeObject") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

func TestNodeLease(t *testing.T) {
	s := newServer(t)
	node := `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","annotations":{"min.minspace.io/node-type":"simulated"}}}`
	if a := do(t, s, "POST", "/api/v1/nodes", "", node); a.code != 201 {
		t.Fatalf("node: %d %s", a.code, a.raw)
	}
	a := do(t, s, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", "", "")
	spec, _ := a.body["spec"].(map[string]any)
	if a.code != 200 || a.body["kind"] != "Lease" || spec["holderIdentity"] != "n1" || spec["renewTime"] == nil {
		t.Fatalf("%d %s", a.code, a.raw)
	}
	if a := do(t, s, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/nope", "", ""); a.code != 404 ||
		a.body["message"] != `leases.coordination.k8s.io "nope" not found` {
		t.Fatalf("missing: %d %s", a.code, a.raw)
	}
}

func TestWatchBookmarks(t *testing.T) {
	e := enginetest.InProcess(t)
	s := server.New(e, server.Options{BookmarkInterval: 20 * time.Millisecond, Log: log.New(io.Discard, "", 0)})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.CloseStreams)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dweb", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", pod)
	if a.code != 201 {
		t.Fatal(a.raw)
	}
	rv, _ := strconv.Atoi(a.body["metadata"].(map[string]any)["resourceVersion"].(string))
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var ev struct {
			Type   string
			Object struct {
				Kind     string
				Metadata struct{ ResourceVersion string }
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(ev.Object.Metadata.ResourceVersion); ev.Type == "BOOKMARK" && ev.Object.Kind == "Pod" && n >= rv {
			return
		}
	}
	t.Fatalf("no bookmark at or after %v: %v", rv, sc.Err())
}

func TestFieldValidationWarn(t *testing.T) {
	s := newServer(t)
	body := strings.Replace(pod, `"image":"busybox"`, `"image":"busybox","foo":1`, 1)
	req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods?fieldValidation=Warn", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 201 || rec.Header().Get("Warning") != `299 - "unknown field \"spec.containers[0].foo\""` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
}
