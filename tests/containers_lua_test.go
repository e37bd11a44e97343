package tests

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/bindings"
	"github.com/minspace/min/bindings/luatest"
	"github.com/minspace/min/containers"
	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
)

// TestMain lets the test binary serve as the pods' shim, as minish does.
func TestMain(m *testing.M) {
	containers.Init()
	code := m.Run()
	removeBuilds() // the minish binaries the CLI tests built
	os.Exit(code)
}

// Test CIDRs: each package that runs real pods has a range of its own,
// so that `go test ./...` may run the packages at once: containers/network
// 10.250.x.0/24, containers 10.251.x.0/24, engine 10.252.0.0/16,
// engine/daemon 10.248.0.0/16, tests 10.249.0.0/16 (and 10.160-191 for
// client-go's).
//
// hostEngine opens an engine that runs real pods on this machine, on a
// bridge, cluster CIDR and cgroup parent of the test's own, and removes
// all of them after.
func hostEngine(t *testing.T) *engine.Engine {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs real containers in namespaces and cgroups")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs /bin/busybox (busybox-static) for the busybox image")
	}
	nopts := network.Options{Bridge: fmt.Sprintf("minl%d", os.Getpid()%100000),
		ClusterCIDR: "10.249.0.0/16", StateDir: filepath.Join(t.TempDir(), "net")}
	parent := fmt.Sprintf("min-luatest-%d", os.Getpid())
	e, err := engine.Open(t.TempDir(), engine.Options{Network: nopts, CgroupParent: parent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		list, _ := e.List(ctx, "pods", cluster.ListOptions{})
		for _, o := range list.Items {
			m := o.GetObjectMeta()
			zero := int64(0)
			e.Delete(ctx, "pods", m.Namespace, m.Name, cluster.DeleteOptions{GracePeriodSeconds: &zero})
			cluster.WaitFor(ctx, e, "pods", m.Namespace, m.Name, func(o api.Object) bool { return o == nil })
		}
		time.Sleep(500 * time.Millisecond) // sandboxes go in the background
		e.Close()
		if m, err := network.New(nopts); err == nil {
			m.RemoveBridge()
		}
		if self, err := cgroup.Self(cgroup.Detect()); err == nil {
			self.Child(parent).Remove(5 * time.Second)
		}
	})
	return e
}

// TestContainersLua runs lua/root/containers.lua on real containers: logs,
// exec and port-forward through the DSL.
func TestContainersLua(t *testing.T) {
	e := hostEngine(t)
	s, err := bindings.New(bindings.Options{
		Engine: func(context.Context) (cluster.Interface, error) { return e, nil },
		Stdout: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	luatest.Open(s, t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if err := s.DoFile(ctx, "lua/root/containers.lua"); err != nil {
		t.Fatal(err)
	}
	port, err := s.Eval(ctx, "pf.local_port")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://127.0.0.1:" + port + "/hostname")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(body)) != "hello" {
		t.Errorf("GET /hostname through the port-forward: %q", body)
	}
	if _, err := s.Eval(ctx, "pf:close()"); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://127.0.0.1:" + port + "/hostname"); err == nil {
		t.Error("the port-forward still answers after close")
	}
}
