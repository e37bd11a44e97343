package shell

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
)

// kubeconfigUsage is `minish kubeconfig --help`.
const kubeconfigUsage = `usage: minish kubeconfig
Makes sure the engine serves HTTPS on 127.0.0.1 (starting it with
--listen 127.0.0.1:0 when none runs), writes a kubeconfig (0600) with its
CA, its token and a context whose namespace is Min's current namespace
(minish config set-context --current --namespace=NS), and prints its path:
  export KUBECONFIG=$(minish kubeconfig); kubectl get pods
`

// runKubeconfig handles `minish kubeconfig`; ok is false for any other
// command line.
func runKubeconfig(args []string, opts Options, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 || args[0] != "kubeconfig" {
		return 0, false
	}
	if len(args) > 1 {
		if args[1] == "-h" || args[1] == "--help" {
			fmt.Fprint(stdout, kubeconfigUsage)
			return 0, true
		}
		fmt.Fprintf(stderr, "minish kubeconfig: unexpected argument %q\n%s", args[1], kubeconfigUsage)
		return 2, true
	}
	path, err := writeKubeconfig(cluster.DefaultHome(), opts)
	if err != nil {
		fmt.Fprintf(stderr, "minish kubeconfig: %v\n", err)
		return 1, true
	}
	fmt.Fprintln(stdout, path)
	return 0, true
}

// writeKubeconfig reaches (or starts) the engine's HTTPS listener and
// rewrites its kubeconfig with the current namespace.
func writeKubeconfig(home string, opts Options) (string, error) {
	path := daemonctl.KubeconfigPath(home)
	cfg, err := listeningConfig(home, path, opts)
	if err != nil {
		return "", err
	}
	setNamespace(cfg, currentNamespace(home))
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// listeningConfig returns the kubeconfig of an engine whose listener
// answers, starting the engine with one when none runs.
func listeningConfig(home, path string, opts Options) (map[string]any, error) {
	cfg, err := readKubeconfig(path)
	if err == nil && reachable(cfg) {
		return cfg, nil
	}
	if _, serr := daemonctl.Status(home); serr == nil {
		return nil, errors.New("the engine runs without an HTTPS listener: stop it (minish engine stop; pods keep running) and run minish kubeconfig again, or start it with minish engine start --listen 127.0.0.1:PORT")
	} else if !errors.Is(serr, daemonctl.ErrNotRunning) {
		return nil, serr
	}
	cmd, err := opts.engineCommand()
	if err != nil {
		return nil, err
	}
	if _, err := daemonctl.Start(home, daemonctl.Options{Command: cmd, Listen: "127.0.0.1:0"}); err != nil {
		return nil, err
	}
	if cfg, err = readKubeconfig(path); err != nil {
		return nil, fmt.Errorf("the engine started but wrote no kubeconfig: %w", err)
	}
	return cfg, nil
}

func readKubeconfig(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// reachable reports whether the kubeconfig's server answers /version with
// its CA and token (a kubeconfig outlives the engine that wrote it).
func reachable(cfg map[string]any) bool {
	server, caData := "", ""
	if c := first(cfg["clusters"]); c != nil {
		cl, _ := c["cluster"].(map[string]any)
		server, _ = cl["server"].(string)
		caData, _ = cl["certificate-authority-data"].(string)
	}
	token := ""
	if u := first(cfg["users"]); u != nil {
		us, _ := u["user"].(map[string]any)
		token, _ = us["token"].(string)
	}
	pem, err := base64.StdEncoding.DecodeString(caData)
	pool := x509.NewCertPool()
	if err != nil || server == "" || !pool.AppendCertsFromPEM(pem) {
		return false
	}
	client := &http.Client{Timeout: 2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, server+"/version", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func first(v any) map[string]any {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil
	}
	m, _ := l[0].(map[string]any)
	return m
}

// currentNamespace is the namespace minish config set-context chose, or
// "default".
func currentNamespace(home string) string {
	if ns := bindings.ContextNamespace(home); ns != "" {
		return ns
	}
	return "default"
}

// setNamespace sets the namespace of every context.
func setNamespace(cfg map[string]any, ns string) {
	l, _ := cfg["contexts"].([]any)
	for _, c := range l {
		m, _ := c.(map[string]any)
		if ctx, ok := m["context"].(map[string]any); ok {
			ctx["namespace"] = ns
		}
	}
}
