package daemon

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/minspace/min/engine"
)

func runWithListen(t *testing.T, home, listen string) {
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, home, Options{Engine: engine.Options{NoHostNode: true}, Listen: listen,
			Ready: func() { close(ready) }, Log: io.Discard})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
}

func TestTCPListenerNeedsTheToken(t *testing.T) {
	home := testHome(t)
	runWithListen(t, home, "127.0.0.1:0")
	fi, err := os.Stat(KubeconfigPath(home))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kubeconfig: %v %v", fi, err)
	}
	cfg, _ := os.ReadFile(KubeconfigPath(home))
	server := regexp.MustCompile(`server: (https://\S+)`).FindSubmatch(cfg)
	caData := regexp.MustCompile(`certificate-authority-data: (\S+)`).FindSubmatch(cfg)
	token := regexp.MustCompile(`token: (\S+)`).FindSubmatch(cfg)
	if server == nil || caData == nil || token == nil || !strings.Contains(string(cfg), "current-context: min") {
		t.Fatalf("kubeconfig:\n%s", cfg)
	}
	caPEM, _ := base64.StdEncoding.DecodeString(string(caData[1]))
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA data is no PEM certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	hc := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	cases := []struct {
		name, auth string
		code       int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer nope", 401},
		{"token", "Bearer " + string(token[1]), 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", string(server[1])+"/api/v1/namespaces/default/pods", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.code {
				t.Fatalf("code %d, body %v", resp.StatusCode, body)
			}
			if tc.code == 401 && (body["kind"] != "Status" || body["reason"] != "Unauthorized" || body["code"] != 401.0) {
				t.Fatalf("401 body %v", body)
			}
			if tc.code == 200 && (body["kind"] != "PodList" || resp.ProtoMajor != 2) {
				t.Fatalf("answer %v over %s", body["kind"], resp.Proto)
			}
		})
	}
	tok1 := string(token[1])
	b, _ := os.ReadFile(home + "/" + TokenFile)
	if strings.TrimSpace(string(b)) != tok1 {
		t.Fatal("the token file and the kubeconfig differ")
	}
}

func TestListenElsewhereNeedsTheFlag(t *testing.T) {
	home := testHome(t)
	err := Run(context.Background(), home, Options{Engine: engine.Options{NoHostNode: true}, Listen: "0.0.0.0:0", Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "is not a loopback address") || !strings.Contains(err.Error(), "--allow-non-loopback") {
		t.Fatalf("got %v", err)
	}
}
