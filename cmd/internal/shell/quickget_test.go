package shell

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/daemonctl"
	"github.com/minspace/min/engine/enginetest"
)

// TestQuickGetMatchesKubectl runs each command line through quickGet and
// through min.kubectl against the same engine, in this process and
// through a daemon's socket: quickGet must answer exactly the lines it is
// meant to, print byte for byte what min.kubectl prints, and leave every
// other line to min.kubectl without printing.
func TestQuickGetMatchesKubectl(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		home := t.TempDir()
		e := enginetest.InProcess(t)
		quickGetCases(t, home, e, Options{Embedded: func(string, bool) (cluster.Interface, error) { return e, nil }})
	})
	t.Run("daemon", func(t *testing.T) {
		home, err := os.MkdirTemp("", "minqg") // short: the socket's path has a length limit
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(home) })
		runDaemon(t, home, "")
		c, err := daemonctl.Dial(home)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		quickGetCases(t, home, c, Options{})
	})
}

// quickGetCases compares quickGet and min.kubectl on the command lines
// below, against eng with home as the state directory; opts reaches eng.
func quickGetCases(t *testing.T, home string, eng cluster.Interface, opts Options) {
	t.Setenv("MIN_HOME", home)
	t.Setenv("MIN_NOW", time.Now().Add(90*time.Minute).UTC().Format(time.RFC3339))
	fillQuickGetCluster(t, eng)

	quick := [][]string{
		{"get", "pods"},
		{"get", "Pods"},
		{"get", "po", "-n", "prod"},
		{"get", "pods", "-nprod"},
		{"get", "pods", "-n=prod"},
		{"get", "pods", "--namespace=prod", "--namespace", "default"},
		{"get", "pods", "--namespace", "prod", "--show-labels"},
		{"get", "pods", "-A"},
		{"get", "pods", "--all-namespaces", "-L", "app,tier", "-L=env"},
		{"get", "pods", "-l", "app=web"},
		{"get", "pods", "-l=app=web", "--show-labels"},
		{"get", "pods", "-l=", "tier"},
		{"get", "pods", "--selector=app in (web)", "-o", "wide"},
		{"get", "pods", "-owide", "--no-headers", "-A"},
		{"get", "pods", "--field-selector=metadata.name=web-1"},
		{"get", "pods", "-l", "app=nothing"},
		{"get", "pods", "-n", "empty"},
		{"get", "pods", "-A", "-l", "app=nothing"},
		{"get", "nodes"},
		{"get", "no", "-l", "x=y"},
		{"get", "nodes", "-n", "prod"},
		{"get", "ns", "--show-labels"},
		{"get", "rc", "-A"},
	}
	lua := [][]string{
		{"get"},
		{"get", "pods", "-o", "name"},
		{"get", "pods", "-o", "wide", "-o", "name"},
		{"get", "pods", "web-1"},
		{"get", "pod/web-1"},
		{"get", "pods,nodes"},
		{"get", "all"},
		{"get", "pods", "-w"},
		{"get", "nope"},
		{"get", "pods", "-l", "env in (prod"},
		{"get", "pods", "-n"},
		{"get", "pods", "-n", ""},
		{"get", "pods", "--sort-by=.metadata.name"},
		{"get", "pods", "-An"},
		{"get", "pods", "--show-labels=true"},
		{"get", "pods", "-h"},
		{"get", "pods", "--", "x"},
		{"get", "pods", "--request-timeout=5s"},
		{"describe", "pods"},
	}
	for _, args := range quick {
		compareQuickGet(t, opts, args, true)
	}
	for _, args := range lua {
		compareQuickGet(t, opts, args, false)
	}
	// The context's namespace (minish config set-context --current).
	if err := os.WriteFile(filepath.Join(home, bindings.ContextFile), []byte("namespace=prod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	compareQuickGet(t, opts, []string{"get", "pods"}, true)
	compareQuickGet(t, opts, []string{"get", "pods", "-n", "default"}, true)
}

// fillQuickGetCluster makes objects that stay as they are while the test
// runs: the only node is cordoned before any pod exists, so no pod is
// ever scheduled.
func fillQuickGetCluster(t *testing.T, eng cluster.Interface) {
	t.Helper()
	s, err := bindings.New(bindings.Options{Engine: func(context.Context) (cluster.Interface, error) { return eng, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.DoString(context.Background(), `
node.create{name="n1", simulated=true, labels={zone="a"}}
node.cordon("n1")
namespace.create("prod")
namespace.create("empty")
pod.create{name="web-1", image="busybox", labels={app="web", tier="front"}}
pod.create{name="web-2", image="busybox", labels={app="web", env="dev"}}
pod.create{name="db-1", image="busybox", labels={app="db"}}
pod.create{name="web-1", image="busybox", namespace="prod", labels={app="web", env="prod"}}
`, "setup")
	if err != nil {
		t.Fatal(err)
	}
}

// compareQuickGet runs args both ways (see TestQuickGetMatchesKubectl).
func compareQuickGet(t *testing.T, opts Options, args []string, wantQuick bool) {
	t.Helper()
	var qout, qerr, kout, kerr bytes.Buffer
	qconn, kconn := newLazyEngine(opts), newLazyEngine(opts)
	if opts.Embedded == nil { // closing an embedded one would close the shared engine
		defer qconn.close()
		defer kconn.close()
	}
	code, ok := quickGet(context.Background(), args, qconn, &qout, &qerr)
	if ok != wantQuick {
		t.Errorf("quickGet(%q) answered = %v, want %v", args, ok, wantQuick)
		return
	}
	if !ok {
		if qout.Len()+qerr.Len() > 0 {
			t.Errorf("quickGet(%q) left the line to min.kubectl but printed %q %q", args, qout.String(), qerr.String())
		}
		return
	}
	kcode := runKubectl(args, kconn, &kout, &kerr)
	if code != kcode || qout.String() != kout.String() || qerr.String() != kerr.String() {
		t.Errorf("%s:\nquickGet: exit %d\n%s%s\nmin.kubectl: exit %d\n%s%s", strings.Join(args, " "),
			code, qout.String(), qerr.String(), kcode, kout.String(), kerr.String())
	}
	if qout.Len()+qerr.Len() == 0 {
		t.Errorf("%q printed nothing", args)
	}
}

// TestQuickGetWithoutEngine: when no engine daemon answers, quickGet
// leaves the command to min.kubectl (whose connection starts one) and
// prints nothing.
func TestQuickGetWithoutEngine(t *testing.T) {
	t.Setenv("MIN_HOME", t.TempDir())
	conn := newLazyEngine(Options{})
	defer conn.close()
	var out, errOut bytes.Buffer
	if _, ok := quickGet(context.Background(), []string{"get", "pods"}, conn, &out, &errOut); ok {
		t.Fatal("quickGet answered without an engine")
	}
	if out.Len()+errOut.Len() > 0 {
		t.Errorf("quickGet printed %q %q", out.String(), errOut.String())
	}
}
