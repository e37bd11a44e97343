package daemon

import (
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"github.com/minspace/min/engine/daemonctl"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/server/wire"
)

// serveTCP starts the HTTPS listener with bearer-token authentication and
// writes the kubeconfig that reaches it.
func serveTCP(home string, opts Options, h http.Handler, logger *log.Logger, serveErr chan<- error) (*http.Server, error) {
	host, _, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("engine: --listen %s: %w", opts.Listen, err)
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || ip != nil && ip.IsLoopback()
	if !loopback && !opts.AllowNonLoopback {
		return nil, fmt.Errorf("engine: --listen %s is not a loopback address: anyone who can reach it and holds the token could drive this machine's engine; pass --allow-non-loopback to mean it", opts.Listen)
	}
	ca, err := loadOrCreateCA(home)
	if err != nil {
		return nil, err
	}
	cert, err := ca.serverCert(host)
	if err != nil {
		return nil, err
	}
	token, err := loadOrCreateToken(home)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("engine: listening on %s: %w", opts.Listen, err)
	}
	addr := l.Addr().String()
	if err := writeKubeconfig(home, addr, ca.certPEM, token); err != nil {
		l.Close()
		return nil, err
	}
	if !loopback {
		logger.Printf("WARNING: serving the whole Min API (pods, exec, port-forward, images) on %s to the network; the token in %s grants all of it", addr, KubeconfigPath(home))
	}
	hs := &http.Server{Handler: bearer(token, h), ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { serveErr <- hs.ServeTLS(l, "", "") }()
	logger.Printf("serving https://%s (token and CA in %s)", addr, KubeconfigPath(home))
	return hs, nil
}

// bearer refuses requests without the token with Kubernetes' 401 Status.
func bearer(token string, h http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			writeUnauthorized(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func writeUnauthorized(w http.ResponseWriter) {
	st := wire.StatusOf(&api.StatusError{Reason: api.ReasonUnauthorized, Code: http.StatusUnauthorized, Message: "Unauthorized"})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":%q,"message":%q,"reason":%q,"code":%d}`+"\n",
		st.Status, st.Message, st.Reason, st.Code)
}

// loadOrCreateToken reads the bearer token, creating it (random, 0600)
// the first time.
func loadOrCreateToken(home string) (string, error) {
	path := filepath.Join(home, TokenFile)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	tok, err := randomToken()
	if err != nil {
		return "", err
	}
	if err := daemonctl.WriteFile0600(path, []byte(tok+"\n")); err != nil {
		return "", fmt.Errorf("engine: writing the token: %w", err)
	}
	return tok, nil
}

// writeKubeconfig writes a kubeconfig (0600) whose context "min" reaches
// the listener with the CA and the token.
func writeKubeconfig(home, addr string, caPEM []byte, token string) error {
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: min
  cluster:
    server: https://%s
    certificate-authority-data: %s
users:
- name: min
  user:
    token: %s
contexts:
- name: min
  context:
    cluster: min
    user: min
    namespace: default
current-context: min
`, addr, base64.StdEncoding.EncodeToString(caPEM), token)
	if err := daemonctl.WriteFile0600(KubeconfigPath(home), []byte(cfg)); err != nil {
		return fmt.Errorf("engine: writing the kubeconfig: %w", err)
	}
	return nil
}
