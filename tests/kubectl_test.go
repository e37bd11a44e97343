package tests

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/daemon"
)

// The real kubectl against Min: an engine serving HTTPS on a free loopback
// port (simulated nodes, so no containers are needed), the kubeconfig it
// writes, and the seed walkthrough replayed with each kubectl binary the
// Debian package ships that matters: the minor /version announces (1.32),
// the oldest and the newest. Outputs are compared with
// testdata/kubectl/walkthrough.txt after the parts that change from run
// to run (ages, uids, resource versions, times, generated names) are
// replaced by placeholders. -update-kubectl rewrites the golden file from
// the 1.32 run.

var updateKubectl = flag.Bool("update-kubectl", false, "rewrite testdata/kubectl/walkthrough.txt from kubectl 1.32's output")

// kubectlDir is where Debian's kubectl package installs the versioned
// binaries behind its /usr/bin/kubectl dispatcher.
const kubectlDir = "/usr/lib/google-cloud-sdk/bin"

// kubectlBinaries returns minor → binary for 1.32 and the oldest and
// newest installed minors.
func kubectlBinaries(t *testing.T) map[string]string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(kubectlDir, "kubectl.1.*"))
	if len(paths) == 0 {
		t.Skipf("kubectl is not installed (no %s/kubectl.1.*; CI installs Debian's kubectl package)", kubectlDir)
	}
	minors := map[string]string{}
	var names []string
	for _, p := range paths {
		m := strings.TrimPrefix(filepath.Base(p), "kubectl.")
		minors[m] = p
		names = append(names, m)
	}
	sort.Slice(names, func(i, j int) bool { return minorNumber(names[i]) < minorNumber(names[j]) })
	want := map[string]string{names[0]: minors[names[0]], names[len(names)-1]: minors[names[len(names)-1]]}
	if p, ok := minors["1.32"]; ok {
		want["1.32"] = p
	}
	return want
}

func minorNumber(v string) int {
	var major, minor int
	fmt.Sscanf(v, "%d.%d", &major, &minor)
	return major*1000 + minor
}

// kubeEngine runs an engine with a TCP listener for the test and returns
// the kubeconfig it wrote.
func kubeEngine(t *testing.T) string {
	t.Helper()
	home, err := os.MkdirTemp("", "minkube")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- daemon.Run(ctx, home, daemon.Options{Listen: "127.0.0.1:0", Log: &lockedBuffer{b: &logs},
			Engine: engine.Options{NoHostNode: true}, Ready: func() { close(ready) }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("engine did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("engine did not start in 30s")
	}
	return daemon.KubeconfigPath(home)
}

// kubectlRun runs one kubectl command line with a fresh HOME (so the
// discovery cache of another version is not reused).
type kubectlRun struct {
	bin, kubeconfig, home, dir string
}

func (k kubectlRun) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Dir = k.dir
	cmd.Env = []string{"HOME=" + k.home, "PATH=/usr/bin:/bin", "LANG=C"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestKubectlWalkthrough(t *testing.T) {
	bins := kubectlBinaries(t)
	dir, err := filepath.Abs("testdata/kubectl")
	if err != nil {
		t.Fatal(err)
	}
	manifests := manifestDir(t, "../scripts/kubia", dir)
	minors := make([]string, 0, len(bins))
	for m := range bins {
		minors = append(minors, m)
	}
	// 1.32 first: with -update-kubectl the others are written only where
	// they differ from it (kubectl's own rendering changed: explain's
	// blank lines in 1.27).
	sort.Slice(minors, func(i, j int) bool { return minors[i] == "1.32" || minors[j] != "1.32" && minors[i] < minors[j] })
	golden := filepath.Join(dir, "walkthrough.txt")
	for _, minor := range minors {
		t.Run(minor, func(t *testing.T) {
			kc := kubeEngine(t)
			k := kubectlRun{bin: bins[minor], kubeconfig: kc, home: t.TempDir(), dir: manifests}
			got := walkthrough(t, k)
			own := filepath.Join(dir, "walkthrough-"+minor+".txt")
			if *updateKubectl {
				updateGolden(t, minor, golden, own, got)
				return
			}
			want, err := os.ReadFile(own)
			if err != nil {
				want, err = os.ReadFile(golden)
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := lineDiff(string(want), got); d != "" {
				t.Errorf("kubectl %s output differs from the golden file (-want +got):\n%s", minor, d)
			}
		})
	}
}

// updateGolden writes 1.32's transcript as the golden file, and another
// minor's as its own file only when it differs.
func updateGolden(t *testing.T, minor, golden, own, got string) {
	if minor == "1.32" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if main, err := os.ReadFile(golden); err == nil && string(main) == got {
		os.Remove(own)
		return
	}
	if err := os.WriteFile(own, []byte(got), 0o644); err != nil {
		t.Fatal(err)
	}
}

// manifestDir copies the YAML files of the folders into one temporary
// folder, where kubectl runs: the transcript then names them plainly.
func manifestDir(t *testing.T, dirs ...string) string {
	t.Helper()
	out := t.TempDir()
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.yaml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// lockedBuffer is a bytes.Buffer written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// walkthrough replays the seed walkthrough and returns the normalized
// transcript: "$ kubectl ARGS" lines, each followed by the output and,
// on failure, "[exit N]".
func walkthrough(t *testing.T, k kubectlRun) string {
	var b strings.Builder
	step := func(args ...string) {
		t.Helper()
		out, err := k.run(t, args...)
		fmt.Fprintf(&b, "$ kubectl %s\n%s", strings.Join(args, " "), normalize(out))
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				fmt.Fprintf(&b, "[exit %d]\n", ee.ExitCode())
			} else {
				t.Fatalf("kubectl %v: %v", args, err)
			}
		}
	}
	// Waits for a condition with kubectl itself, so that the next step's
	// output does not depend on timing.
	wait := func(args ...string) {
		t.Helper()
		if out, err := k.run(t, append([]string{"wait", "--timeout=30s"}, args...)...); err != nil {
			t.Fatalf("kubectl wait %v: %v\n%s\ntranscript so far:\n%s", args, err, out, b.String())
		}
	}
	for _, s := range kubectlSteps {
		switch s[0] {
		case "#wait":
			wait(s[1:]...)
		case "#server-version":
			out, err := k.run(t, "version", "--output=json")
			var v struct {
				Server struct{ Major, Minor, GitVersion string } `json:"serverVersion"`
			}
			if jerr := json.NewDecoder(strings.NewReader(out)).Decode(&v); err != nil || jerr != nil {
				t.Fatalf("kubectl version: %v %v\n%s", err, jerr, out)
			}
			// (kubectl 1.27 adds a skew warning after the JSON)
			fmt.Fprintf(&b, "$ kubectl version --output=json | server version\n%s.%s %s\n", v.Server.Major, v.Server.Minor, v.Server.GitVersion)
		default:
			step(s...)
		}
	}
	return b.String()
}

// kubectlSteps is the walkthrough (Kubernetes in Action, chapters 3 and
// 4), with "#wait" lines that run kubectl wait without recording it.
var kubectlSteps = [][]string{
	{"#server-version"},
	{"create", "-f", "nodes.yaml"},
	{"get", "nodes"},
	{"create", "-f", "kubia-manual.yaml"},
	{"#wait", "--for=condition=Ready", "pod/kubia-manual"},
	{"get", "pods"},
	{"get", "po", "kubia-manual", "-o", "wide"},
	{"get", "po", "-o", "name"},
	{"get", "po", "kubia-manual", "-o", "jsonpath={.metadata.name} {.spec.containers[0].ports[0].protocol} {.status.phase}"},
	{"get", "po", "kubia-manual", "-o", "yaml"},
	{"explain", "pods"},
	{"explain", "pods.spec"},
	{"explain", "pod.spec.containers.image"},
	{"explain", "pod.spec.nope"},
	{"create", "-f", "kubia-typo.yaml"},
	{"get", "po", "nope"},
	{"create", "-f", "kubia-manual-with-labels.yaml"},
	{"#wait", "--for=condition=Ready", "pod/kubia-manual-v2"},
	{"get", "po", "--show-labels"},
	{"get", "po", "-L", "creation_method,env"},
	{"label", "po", "kubia-manual", "creation_method=manual"},
	{"label", "po", "kubia-manual-v2", "env=debug"},
	{"label", "po", "kubia-manual-v2", "env=debug", "--overwrite"},
	{"get", "po", "-L", "creation_method,env"},
	{"get", "po", "-l", "creation_method=manual"},
	{"get", "po", "-l", "env"},
	{"get", "po", "-l", "!env"},
	{"get", "po", "-l", "creation_method!=manual"},
	{"get", "po", "-l", "env in (prod,devel)"},
	{"get", "po", "-l", "env notin (prod,devel)"},
	{"get", "po", "-l", "creation_method=manual,env=debug"},
	{"get", "po", "-l", "app=pc"},
	{"get", "po", "-l", "env in (prod"},
	{"label", "node", "minnode-1", "gpu=true"},
	{"get", "nodes", "-l", "gpu=true"},
	{"get", "nodes", "-L", "gpu"},
	{"create", "-f", "kubia-gpu.yaml"},
	{"#wait", "--for=condition=Ready", "pod/kubia-gpu"},
	{"get", "po", "kubia-gpu", "-o", "jsonpath={.spec.nodeName}"},
	{"annotate", "pod", "kubia-manual", "mycompany.com/someannotation=foo bar"},
	{"get", "po", "kubia-manual", "-o", "jsonpath={.metadata.annotations}"},
	{"describe", "pod", "kubia-manual"},
	{"describe", "node", "minnode-2"},
	{"get", "ns", "default", "-o", "json"},
	{"get", "events", "--field-selector", "involvedObject.name=kubia-gpu", "-o", "custom-columns=REASON:.reason,OBJECT:.involvedObject.name"},
	{"apply", "-f", "kubia-manual-v3.yaml"},
	{"apply", "-f", "kubia-manual-v3-changed.yaml"},
	{"get", "po", "kubia-manual-v3", "-o", "jsonpath={.metadata.labels} {.spec.containers[0].image} {.spec.containers[0].ports}"},
	{"apply", "--server-side", "-f", "kubia-manual-v4.yaml"},
	{"get", "po", "kubia-manual-v4", "-L", "tier"},
	{"patch", "pod", "kubia-manual-v4", "-p", `{"metadata":{"labels":{"tier":"back"}}}`},
	{"patch", "pod", "kubia-manual-v4", "--type", "json", "-p", `[{"op":"remove","path":"/metadata/labels/tier"}]`},
	{"get", "po", "kubia-manual-v4", "--show-labels"},
	{"delete", "po", "kubia-manual-v3", "kubia-manual-v4"},
	{"get", "ns"},
	{"get", "po", "--namespace", "kube-system"},
	{"create", "-f", "custom-namespace.yaml"},
	{"create", "namespace", "custom-namespace-2"},
	{"get", "ns", "custom-namespace-2", "-o", "jsonpath={.status.phase}"},
	{"create", "-f", "kubia-manual.yaml", "-n", "custom-namespace"},
	{"#wait", "--for=condition=Ready", "pod/kubia-manual", "-n", "custom-namespace"},
	{"get", "po", "-A"},
	{"create", "-f", "kubia-rc.yaml"},
	{"#wait", "--for=jsonpath={.status.readyReplicas}=3", "rc/kubia"},
	{"get", "rc"},
	{"get", "rc", "-o", "wide"},
	{"scale", "rc", "kubia", "--replicas=5"},
	{"#wait", "--for=jsonpath={.status.readyReplicas}=5", "rc/kubia"},
	{"get", "rc", "kubia"},
	{"get", "all", "-l", "app=kubia"},
	{"delete", "po", "kubia-gpu", "--grace-period=0", "--force"},
	{"delete", "po", "-l", "creation_method=manual"},
	{"delete", "ns", "custom-namespace"},
	{"get", "ns", "custom-namespace"},
	{"delete", "po", "--all", "-n", "custom-namespace-2"},
	{"delete", "all", "--all"},
	{"get", "po"},
	{"get", "rc"},
}

// Normalisation of what changes between runs.
var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<uid>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "<time>"},
	{regexp.MustCompile(`(resourceVersion: |"resourceVersion": )"\d+"`), `$1"<rv>"`},
	{regexp.MustCompile(`\bkubia-[a-z0-9]{5}\b`), "kubia-<id>"},
	{regexp.MustCompile(`(?m)^(Start Time|Labels|Annotations):( +).*`), "$1:$2<…>"},
	{regexp.MustCompile(`10\.244\.\d+\.\d+`), "<ip>"},
	{regexp.MustCompile(`min://[0-9a-f]{64}`), "min://<id>"},
	{regexp.MustCompile(`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}`), "<date>"},
}

// ageCell matches an AGE (or LAST SEEN) cell of a table: 5s, 2m3s, 3h,
// 4d1h, <invalid>.
var ageCell = regexp.MustCompile(`^(\d+[smhdy]){1,2}$`)

// normalize replaces what changes from run to run; in lines holding an
// age cell (AGE, LAST SEEN, describe's event Age) the cell becomes <age>
// and the spaces between cells one space, since column widths follow
// the ages.
func normalize(out string) string {
	for _, n := range normalizers {
		out = n.re.ReplaceAllString(out, n.with)
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		aged := false
		for j, c := range f {
			if ageCell.MatchString(c) {
				f[j], aged = "<age>", true
			}
		}
		if aged {
			lines[i] = collapse(l, f)
			// The header and dashes above a table's rows are as wide as
			// its cells.
			for j := i - 1; j >= max(0, i-2) && strings.Contains(strings.TrimLeft(lines[j], " "), "  "); j-- {
				lines[j] = collapse(lines[j], strings.Fields(lines[j]))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// collapse joins a line's fields with one space, keeping its indent.
func collapse(l string, fields []string) string {
	return l[:len(l)-len(strings.TrimLeft(l, " "))] + strings.Join(fields, " ")
}

// lineDiff is a small line-by-line difference ("" when equal).
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n-%s\n+%s\n", i+1, wl, gl)
			if b.Len() > 4000 {
				b.WriteString("…\n")
				break
			}
		}
	}
	return b.String()
}

// TestKubeAPIRobustness sends the HTTPS listener what a confused or
// hostile client might: no token, a wrong one, garbage instead of TLS or
// HTTP, bodies over the limit, malformed JSON and protobuf. Each gets a
// Status (or a closed connection) and the engine keeps answering.
func TestKubeAPIRobustness(t *testing.T) {
	kc := kubeEngine(t)
	server, client, token := kubeClient(t, kc)
	big := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + strings.Repeat("x", 4<<20) + `"}}`
	cases := []struct {
		name, method, path, token, ctype, body string
		code                                   int
		reason                                 string
	}{
		{"no token", "GET", "/api/v1/pods", "", "", "", 401, "Unauthorized"},
		{"wrong token", "GET", "/api/v1/pods", "nope", "", "", 401, "Unauthorized"},
		{"oversized body", "POST", "/api/v1/namespaces/default/pods", token, "application/json", big, 413, "RequestEntityTooLarge"},
		{"malformed JSON", "POST", "/api/v1/namespaces/default/pods", token, "application/json", `{"kind":`, 400, "BadRequest"},
		{"malformed protobuf", "POST", "/api/v1/namespaces", token, "application/vnd.kubernetes.protobuf", "k8s\x00\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 400, "BadRequest"},
		{"malformed patch", "PATCH", "/api/v1/namespaces/default/pods/x", token, "application/strategic-merge-patch+json", `{`, 404, "NotFound"},
		{"unknown path", "GET", "/apis/apps/v1/deployments", token, "", "", 404, "NotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, server+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var st struct{ Kind, Reason string }
			if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != tc.code || st.Kind != "Status" || st.Reason != tc.reason {
				t.Fatalf("%d %+v %v", resp.StatusCode, st, err)
			}
		})
	}
	// Bytes that are no TLS, and TLS carrying no HTTP.
	host := strings.TrimPrefix(server, "https://")
	for _, junk := range [][]byte{[]byte("GET / HTTP/1.1\r\n\r\n"), bytes.Repeat([]byte{0x16, 0x03, 0x01, 0xff}, 1000)} {
		if c, err := net.DialTimeout("tcp", host, 5*time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			c.Write(junk)
			io.Copy(io.Discard, c)
			c.Close()
		}
	}
	if c, err := tls.Dial("tcp", host, client.Transport.(*http.Transport).TLSClientConfig); err == nil {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("\x00\x01garbage\r\n\r\n"))
		io.Copy(io.Discard, c)
		c.Close()
	}
	req, _ := http.NewRequest("GET", server+"/version", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the engine stopped answering: %v %v", resp, err)
	}
	resp.Body.Close()
}

// kubeClient reads a kubeconfig: the server URL, an HTTPS client trusting
// its CA, and the token.
func kubeClient(t *testing.T, path string) (string, *http.Client, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Clusters []struct {
			Cluster struct {
				Server string `json:"server"`
				CA     string `json:"certificate-authority-data"`
			} `json:"cluster"`
		} `json:"clusters"`
		Users []struct {
			User struct {
				Token string `json:"token"`
			} `json:"user"`
		} `json:"users"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil || len(cfg.Clusters) == 0 || len(cfg.Users) == 0 {
		t.Fatalf("kubeconfig: %v\n%s", err, b)
	}
	pem, err := base64.StdEncoding.DecodeString(cfg.Clusters[0].Cluster.CA)
	pool := x509.NewCertPool()
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("kubeconfig CA: %v", err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return cfg.Clusters[0].Cluster.Server, &http.Client{Transport: tr, Timeout: 30 * time.Second}, cfg.Users[0].User.Token
}

// TestKubectlGetWatch runs `kubectl get pods -w`: the Table list, then a
// watch kept open whose events print as rows (the header only once) when
// pods change.
func TestKubectlGetWatch(t *testing.T) {
	bins := kubectlBinaries(t)
	bin := bins["1.32"]
	if bin == "" {
		t.Skip("kubectl 1.32 is not installed")
	}
	dir, err := filepath.Abs("testdata/kubectl")
	if err != nil {
		t.Fatal(err)
	}
	k := kubectlRun{bin: bin, kubeconfig: kubeEngine(t), home: t.TempDir(), dir: manifestDir(t, "../scripts/kubia", dir)}
	for _, args := range [][]string{{"create", "-f", "nodes.yaml"}, {"create", "-f", "kubia-manual.yaml"}} {
		if out, err := k.run(t, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--kubeconfig", k.kubeconfig, "get", "pods", "-w", "--show-labels")
	cmd.Env = []string{"HOME=" + k.home, "PATH=/usr/bin:/bin"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl get -w ended before %s", what)
			}
			return l
		case <-time.After(30 * time.Second):
			t.Fatalf("no line for %s in 30s", what)
		}
		return ""
	}
	if h := next("the header"); !strings.HasPrefix(h, "NAME ") || !strings.HasSuffix(h, "LABELS") {
		t.Fatalf("header %q", h)
	}
	if r := next("the first row"); !strings.HasPrefix(r, "kubia-manual ") {
		t.Fatalf("row %q", r)
	}
	if out, err := k.run(t, "label", "pod", "kubia-manual", "watched=yes"); err != nil {
		t.Fatalf("label: %v\n%s", err, out)
	}
	for {
		l := next("the labelled pod")
		if strings.HasPrefix(l, "NAME ") {
			t.Fatalf("a second header: %q", l)
		}
		if strings.HasPrefix(l, "kubia-manual ") && strings.HasSuffix(l, "watched=yes") {
			break
		}
	}
}

// TestKubectlDispatcher checks that Debian's /usr/bin/kubectl, which picks
// the kubectl binary matching the server's /version, runs 1.32 against
// Min: the minor Min's kubectl tests run.
func TestKubectlDispatcher(t *testing.T) {
	const dispatcher = "/usr/bin/kubectl"
	if _, err := os.Stat(filepath.Join(kubectlDir, "kubectl")); err != nil {
		t.Skipf("Debian's kubectl dispatcher is not installed: %v", err)
	}
	k := kubectlRun{bin: dispatcher, kubeconfig: kubeEngine(t), home: t.TempDir(), dir: t.TempDir()}
	out, err := k.run(t, "version", "--output=json")
	var v struct {
		Client struct{ Minor string } `json:"clientVersion"`
		Server struct{ Minor string } `json:"serverVersion"`
	}
	if jerr := json.NewDecoder(strings.NewReader(out)).Decode(&v); err != nil || jerr != nil {
		t.Fatalf("%v %v\n%s", err, jerr, out)
	}
	if !strings.HasPrefix(v.Client.Minor, "32") || v.Server.Minor != "32" { // the dispatcher says "32+" when it runs itself
		t.Fatalf("client minor %q, server minor %q:\n%s", v.Client.Minor, v.Server.Minor, out)
	}
}
