package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/enginetest"
	"github.com/minspace/min/engine/server"
	"k8s.io/apimachinery/pkg/labels"
)

// panicky is an engine whose Get panics for the name "boom".
type panicky struct{ *engine.Engine }

func (p panicky) Get(ctx context.Context, resource, namespace, name string) (api.Object, error) {
	if name == "boom" {
		panic("boom")
	}
	return p.Engine.Get(ctx, resource, namespace, name)
}

func newServer(t testing.TB) *server.Server {
	e := enginetest.InProcess(t)
	return server.New(panicky{e}, server.Options{MaxBodyBytes: 1 << 20, Log: log.New(io.Discard, "", 0)})
}

type answer struct {
	code int
	body map[string]any
	raw  string
}

func do(t testing.TB, h http.Handler, method, target, ctype, body string) answer {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req = req.WithContext(ctx)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{code: rec.Code, raw: rec.Body.String()}
	json.Unmarshal(rec.Body.Bytes(), &a.body)
	return a
}

const pod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`

func TestBadRequestsGetStatus(t *testing.T) {
	s := newServer(t)
	_, selErr := labels.Parse("a in b")
	cases := []struct {
		name, method, target, ctype, body string
		code                              int
		reason, msg                       string
	}{
		{"malformed JSON", "POST", "/api/v1/namespaces/default/pods", "application/json", `{"kind":`, 400, "BadRequest",
			"the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input"},
		{"wrong kind", "POST", "/api/v1/namespaces/default/pods", "", `{"kind":"Node","metadata":{"name":"x"}}`, 400, "BadRequest", ""},
		{"wrong apiVersion", "POST", "/api/v1/namespaces/default/pods", "", `{"apiVersion":"apps/v1","kind":"Pod"}`, 400, "BadRequest",
			"the API version in the data (apps/v1) does not match the expected API version (v1)"},
		{"empty body", "POST", "/api/v1/namespaces/default/pods", "", ``, 400, "BadRequest", ""},
		{"field of the wrong type", "POST", "/api/v1/namespaces/default/pods", "", `{"metadata":{"name":7}}`, 400, "BadRequest", ""},
		{"namespace mismatch", "POST", "/api/v1/namespaces/kube-system/pods", "", strings.Replace(pod, `"name":"web"`, `"name":"web","namespace":"default"`, 1), 400, "BadRequest",
			"the namespace of the provided object does not match the namespace sent on the request"},
		{"name mismatch", "PUT", "/api/v1/namespaces/default/pods/other", "", pod, 400, "BadRequest",
			"the name of the object (web) does not match the name on the URL (other)"},
		{"oversized body", "POST", "/api/v1/namespaces/default/pods", "", `{"metadata":{"name":"` + strings.Repeat("x", 2<<20) + `"}}`, 413, "RequestEntityTooLarge",
			"Request entity too large: limit is 1048576"},
		{"invalid selector", "GET", "/api/v1/pods?labelSelector=a+in+b", "", "", 400, "BadRequest", selErr.Error()},
		{"unknown path", "GET", "/api/v2/pods", "", "", 404, "NotFound", "the server could not find the requested resource"},
		{"unknown resource", "GET", "/api/v1/widgets", "", "", 404, "NotFound", "the server could not find the requested resource"},
		{"namespaced path of a cluster kind", "GET", "/api/v1/namespaces/default/nodes", "", "", 404, "NotFound", ""},
		{"too deep", "GET", "/api/v1/namespaces/default/pods/a/log/b", "", "", 404, "NotFound", ""},
		{"unknown subresource", "GET", "/api/v1/namespaces/default/pods/a/attach", "", "", 404, "NotFound", ""},
		{"method", "PUT", "/api/v1/namespaces/default/pods", "", pod, 405, "MethodNotAllowed", ""},
		{"create across namespaces", "POST", "/api/v1/pods", "", pod, 405, "MethodNotAllowed", ""},
		{"unknown patch type", "PATCH", "/api/v1/namespaces/default/pods/web", "application/yaml", `{}`, 415, "UnsupportedMediaType", ""},
		{"empty protobuf pod", "POST", "/api/v1/namespaces/default/pods", "application/vnd.kubernetes.protobuf", "k8s\x00\x0a\x09\x0a\x02v1\x12\x03Pod", 422, "Invalid", ""},
		{"protobuf delete options, truncated", "DELETE", "/api/v1/namespaces/default/pods/web", "application/vnd.kubernetes.protobuf", "k8s\x00\x0a\x7f", 400, "BadRequest", ""},
		{"protobuf without magic", "POST", "/api/v1/namespaces", "application/vnd.kubernetes.protobuf", "\x0a\x00", 400, "BadRequest", ""},
		{"truncated protobuf", "POST", "/api/v1/namespaces", "application/vnd.kubernetes.protobuf", "k8s\x00\x0a\x7f", 400, "BadRequest", ""},
		{"bad dryRun", "POST", "/api/v1/namespaces/default/pods?dryRun=Some", "", pod, 400, "BadRequest", ""},
		{"bad grace", "DELETE", "/api/v1/namespaces/default/pods/web?gracePeriodSeconds=soon", "", "", 400, "BadRequest", ""},
		{"bad delete body", "DELETE", "/api/v1/namespaces/default/pods/web", "", `{"kind":"Pod"}`, 400, "BadRequest", ""},
		{"bad tailLines", "GET", "/api/v1/namespaces/default/pods/web/log?tailLines=x", "", "", 400, "BadRequest", ""},
		{"exec without upgrade", "POST", "/api/v1/namespaces/default/pods/web/exec?command=ls", "", "", 400, "BadRequest", ""},
		{"exec without command", "POST", "/api/v1/namespaces/default/pods/web/exec", "", "", 400, "BadRequest", "you must specify at least 1 command"},
		{"port-forward without upgrade", "POST", "/api/v1/namespaces/default/pods/web/portforward?port=80", "", "", 400, "BadRequest", ""},
		{"panic", "GET", "/api/v1/namespaces/default/pods/boom", "", "", 500, "InternalError", ""},
		{"missing", "GET", "/api/v1/namespaces/default/pods/nope", "", "", 404, "NotFound", `pods "nope" not found`},
		{"watch too old", "GET", "/api/v1/pods?watch=true&resourceVersion=abc", "", "", 400, "BadRequest", `invalid resource version "abc"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, tc.method, tc.target, tc.ctype, tc.body)
			if a.code != tc.code || a.body["kind"] != "Status" || a.body["status"] != "Failure" || a.body["reason"] != tc.reason ||
				a.body["code"] != float64(tc.code) || a.body["apiVersion"] != "v1" {
				t.Fatalf("got %d %s", a.code, a.raw)
			}
			if tc.msg != "" && a.body["message"] != tc.msg {
				t.Fatalf("message %q, want %q", a.body["message"], tc.msg)
			}
		})
	}
	// The engine is still up.
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", pod); a.code != 201 {
		t.Fatalf("after the bad requests: %d %s", a.code, a.raw)
	}
}

func TestShapes(t *testing.T) {
	s := newServer(t)
	if a := do(t, s, "POST", "/api/v1/namespaces/default/pods", "", pod); a.code != 201 || a.body["kind"] != "Pod" {
		t.Fatalf("create: %d %s", a.code, a.raw)
	}
	a := do(t, s, "GET", "/api/v1/namespaces/default/pods?labelSelector=", "", "")
	md, _ := a.body["metadata"].(map[string]any)
	items, _ := a.body["items"].([]any)
	if a.code != 200 || a.body["kind"] != "PodList" || a.body["apiVersion"] != "v1" || md["resourceVersion"] == "" || len(items) != 1 {
		t.Fatalf("list: %d %s", a.code, a.raw)
	}
	if it := items[0].(map[string]any); it["kind"] != "Pod" || it["apiVersion"] != "v1" {
		t.Fatalf("item type meta: %v", it)
	}
	a = do(t, s, "GET", "/version", "", "")
	if a.code != 200 || a.body["gitVersion"] != server.ServedKubeVersion || a.body["minVersion"] != engine.Version {
		t.Fatalf("version: %s", a.raw)
	}
	if a := do(t, s, "GET", "/healthz", "", ""); a.code != 200 || a.raw != "ok" {
		t.Fatalf("healthz: %d %q", a.code, a.raw)
	}
	a = do(t, s, "PATCH", "/api/v1/namespaces/default/pods/web", "application/merge-patch+json", `{"metadata":{"labels":{"a":"b"}}}`)
	if a.code != 200 || !strings.Contains(a.raw, `"labels":{"a":"b"}`) {
		t.Fatalf("patch: %d %s", a.code, a.raw)
	}
	a = do(t, s, "DELETE", "/api/v1/namespaces/default/pods/web?preconditions.resourceVersion=1", "", "")
	if a.code != 409 || !strings.HasPrefix(a.body["message"].(string), `Operation cannot be fulfilled on pods "web": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: `) {
		t.Fatalf("resourceVersion precondition: %d %s", a.code, a.raw)
	}
	a = do(t, s, "DELETE", "/api/v1/namespaces/default/pods/web?dryRun=All", "", "")
	if a.code != 200 || a.body["kind"] != "Pod" {
		t.Fatalf("dry-run delete: %d %s", a.code, a.raw)
	}
	a = do(t, s, "DELETE", "/api/v1/namespaces/default/pods/web", "application/json", `{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0,"propagationPolicy":"Background"}`)
	if a.code != 200 {
		t.Fatalf("delete: %d %s", a.code, a.raw)
	}
	// A watch from "" sends the current objects first, as the apiserver does.
	a = do(t, s, "GET", "/api/v1/namespaces?watch=true&timeoutSeconds=1", "", "")
	if a.code != 200 || strings.Count(a.raw, `{"type":"ADDED","object":{"apiVersion":"v1","kind":"Namespace"`) != 4 {
		t.Fatalf("watch: %d %s", a.code, a.raw)
	}
}

func FuzzHandler(f *testing.F) {
	s := newServer(f)
	for _, seed := range []struct{ method, target, ctype, body string }{
		{"POST", "/api/v1/namespaces/default/pods", "application/json", pod},
		{"PUT", "/api/v1/namespaces/default/pods/web", "", pod},
		{"PATCH", "/api/v1/namespaces/default/pods/web", "application/merge-patch+json", `{"metadata":{"labels":{"a":null}}}`},
		{"DELETE", "/api/v1/namespaces/default/pods/web", "", `{"gracePeriodSeconds":0}`},
		{"GET", "/api/v1/pods?labelSelector=a%20in%20(b)&fieldSelector=spec.nodeName%3Dx", "", ""},
		{"POST", "/api/v1/nodes", "", `{"metadata":{"name":"n","annotations":{"min.minspace.io/node-type":"simulated"}}}`},
		{"POST", "/api/v1/namespaces", "", `{"metadata":{"name":"x"}}`},
		{"POST", "/api/v1/namespaces/default/replicationcontrollers", "", `{"spec":{"replicas":-1,"selector":{"a":"b"}}}`},
		{"GET", "/api/v1/namespaces/default/pods/web/log?tailLines=1", "", ""},
		{"POST", "/apis/min.minspace.io/v1/images/import", "", `{"name":"x","source":"/nonexistent"}`},
	} {
		f.Add(seed.method, seed.target, seed.ctype, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, target, ctype, body string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") || strings.ContainsAny(method, " \r\n\t/()<>@,;:\\\"[]?={}") || method == "" {
			return
		}
		if strings.Contains(target, "watch=") || strings.Contains(target, "follow=") {
			return // streams run until their context ends
		}
		defer func() {
			if v := recover(); v != nil {
				t.Skipf("httptest rejects this request: %v", v)
			}
		}()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 && !strings.Contains(rec.Body.String(), "boom") {
			t.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var st map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || st["kind"] != "Status" {
				t.Fatalf("%s %s: %d answered without a Status: %q", method, target, rec.Code, rec.Body.String())
			}
		}
	})
}
