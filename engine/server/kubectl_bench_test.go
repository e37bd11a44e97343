package server_test

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/minspace/min/engine/openapi"
	"github.com/minspace/min/engine/server"
)

// kubectlRequest is one request of a kubectl command, as kubectl 1.32
// sends it (../shared/reference/kube-api-surface.md §1, §2, §3, §13).
type kubectlRequest struct{ path, accept string }

const (
	discoveryAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
	v2Accept        = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
)

var (
	// dispatcherVersion is what Debian's kubectl dispatcher asks before
	// it runs the kubectl of the server's minor.
	dispatcherVersion = kubectlRequest{"/version?timeout=5s", "application/json, */*"}
	listPodsTable     = kubectlRequest{"/api/v1/namespaces/default/pods?limit=500", tableAccept}
	discoveryRequests = []kubectlRequest{
		{"/api?timeout=32s", discoveryAccept},
		{"/apis?timeout=32s", discoveryAccept},
		{"/api/v1?timeout=32s", "application/json, */*"},
	}
)

// kubectlCommands are the request sequences the engine serves for one
// kubectl command.
func kubectlCommands() map[string][]kubectlRequest {
	validate := []kubectlRequest{{"/openapi/v3?timeout=32s", "application/json, */*"},
		{"/openapi/v3/api/v1?hash=" + openapi.Hash() + "&timeout=32s", "application/json"}}
	return map[string][]kubectlRequest{
		// A warm discovery cache (6 h): only the list, after the dispatcher.
		"GetPods":     {dispatcherVersion, listPodsTable},
		"GetPodsCold": append(append([]kubectlRequest{dispatcherVersion}, discoveryRequests...), listPodsTable),
		"GetPodName":  {dispatcherVersion, {"/api/v1/namespaces/default/pods/kubia-0001", tableAccept}},
		"Discovery":   discoveryRequests,
		"Version":     {dispatcherVersion},
		// create -f / apply -f validation (kubectl 1.29+), and 1.27-1.28's.
		"OpenAPIV3": validate,
		"OpenAPIV2": {{"/openapi/v2?timeout=32s", v2Accept}},
	}
}

// BenchmarkKubectl replays, per command, the requests kubectl 1.32 sends
// against an engine with 1,000 pods, through the handler (no TLS): the
// engine's CPU per command that the server's code decides.
func BenchmarkKubectl(b *testing.B) {
	s, _ := benchServer(b, 1000)
	for name, reqs := range kubectlCommands() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, q := range reqs {
					serveKubectl(b, s, q)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

func serveKubectl(b *testing.B, s *server.Server, q kubectlRequest) {
	req := httptest.NewRequest("GET", q.path, nil)
	req.Header.Set("Accept", q.accept)
	req.Header.Set("User-Agent", "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07")
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %.200s", q.path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
}
