package network

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates a bridge, veths and network namespaces")
	}
}

// testEnv is a Manager on a bridge and a /24 of 10.250.0.0/16 of the test's own, so
// tests never collide with a real Min (10.244.0.0/16 on min0) or with each other.
type testEnv struct {
	tb   testing.TB
	m    *Manager
	opts Options
	dir  string

	mu   sync.Mutex
	pods []string // pod IDs whose veth names the leak check looks for
}

// newTestEnv makes the environment and registers the cleanup that removes its veths
// and bridge and then checks, with `ip link`, that nothing of the test remains. It
// runs even when the test fails, after every cleanup the test registers later.
func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	return newTestEnvWith(tb, Options{})
}

// newTestEnvWith takes the options other than bridge, cluster CIDR and state dir.
func newTestEnvWith(tb testing.TB, opts Options) *testEnv {
	tb.Helper()
	requireRoot(tb)
	e := &testEnv{tb: tb, dir: tb.TempDir()}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", tb.Name(), os.Getpid())
	seed := h.Sum32()
	for i := range uint32(250) {
		n := (seed+i)%250 + 1
		e.opts = opts
		e.opts.Bridge = fmt.Sprintf("mt%08x", seed+i)
		e.opts.ClusterCIDR = fmt.Sprintf("10.250.%d.0/24", n)
		e.opts.StateDir = filepath.Join(e.dir, "state")
		m, err := New(e.opts)
		if errors.Is(err, ErrConflict) {
			continue // a range or name someone else uses: try the next
		}
		tb.Cleanup(e.cleanup)
		if err != nil {
			tb.Fatal(err)
		}
		e.m = m
		return e
	}
	tb.Fatal("no free test range in 10.250.0.0/16")
	return nil
}

// netns creates a network namespace file that is removed at cleanup.
func (e *testEnv) netns(name string) string {
	e.tb.Helper()
	path := filepath.Join(e.dir, name)
	e.tb.Cleanup(func() {
		if err := DeleteNetNS(path); err != nil {
			e.tb.Error(err)
		}
	})
	if err := NewNetNS(path); err != nil {
		e.tb.Fatal(err)
	}
	return path
}

// track registers a pod for Teardown at cleanup and for the leak check.
func (e *testEnv) track(podID, nsPath string) {
	e.mu.Lock()
	e.pods = append(e.pods, podID)
	e.mu.Unlock()
	e.tb.Cleanup(func() {
		if err := e.m.Teardown(podID, nsPath); err != nil {
			e.tb.Error(err)
		}
	})
}

// setup runs Setup for a pod in a new namespace and returns the namespace and address.
func (e *testEnv) setup(podID string) (string, net.IP) {
	e.tb.Helper()
	ns := e.netns(podID)
	e.track(podID, ns)
	ip, err := e.m.Setup(podID, ns, "")
	if err != nil {
		e.tb.Fatal(err)
	}
	return ns, ip
}

func (e *testEnv) cleanup() {
	br, err := netlink.LinkByName(e.opts.Bridge)
	if err == nil {
		e.removePorts(br.Attrs().Index)
		if err := netlink.LinkDel(br); err != nil {
			e.tb.Errorf("delete test bridge: %v", err)
		}
	}
	out, err := exec.Command("ip", "-o", "link").CombinedOutput()
	if err != nil {
		e.tb.Errorf("ip link: %v: %s", err, out)
		return
	}
	names := []string{e.opts.Bridge}
	e.mu.Lock()
	for _, p := range e.pods {
		name, _ := e.m.cfg.hostVeth(p)
		names = append(names, name)
	}
	e.mu.Unlock()
	for _, n := range names {
		if strings.Contains(string(out), " "+n+":") || strings.Contains(string(out), " "+n+"@") {
			e.tb.Errorf("ip link still shows %s after the test:\n%s", n, out)
		}
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		e.tb.Error(err)
	} else if strings.Contains(string(mounts), " "+e.dir+"/") {
		e.tb.Errorf("namespace files still mounted under %s:\n%s", e.dir, mounts)
	}
}

// removePorts waits for the bridge's ports to go (a namespace, and the veth in it,
// is destroyed asynchronously after its last user leaves) and reports the ones that
// do not as leaks, deleting them.
func (e *testEnv) removePorts(bridge int) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		ports := bridgePorts(bridge)
		if len(ports) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.tb.Errorf("veths left on the test bridge: %v", ports)
			for _, p := range ports {
				deleteLink(p)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func bridgePorts(bridge int) []string {
	links, _ := netlink.LinkList()
	var out []string
	for _, l := range links {
		if l.Attrs().MasterIndex == bridge {
			out = append(out, l.Attrs().Name)
		}
	}
	return out
}

// inside opens a netlink handle in a namespace, closed at cleanup.
func inside(tb testing.TB, nsPath string) *netlink.Handle {
	tb.Helper()
	ns, err := openNetNS(nsPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer ns.Close()
	var h *netlink.Handle
	err = inNetNS(ns, func() (err error) {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.Close)
	return h
}
