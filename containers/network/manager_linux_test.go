package network

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestPodNetwork sets up two pods and checks what a pod sees and what it can reach:
// the other pod and the host by TCP, and nothing outside the cluster CIDR.
func TestPodNetwork(t *testing.T) {
	forward := readSysctl(t, "net/ipv4/ip_forward")
	e := newTestEnv(t)
	nsA, ipA := e.setup("pod-a")
	nsB, ipB := e.setup("pod-b")

	cluster := e.m.ClusterCIDR()
	if ipA.Equal(ipB) || !cluster.Contains(ipA) || !cluster.Contains(ipB) || ipA.Equal(e.m.Gateway()) {
		t.Fatalf("addresses %s and %s: want two distinct pod addresses in %s", ipA, ipB, cluster)
	}
	t.Run("links", func(t *testing.T) { checkLinks(t, nsA, ipA, cluster) })
	t.Run("routes", func(t *testing.T) { checkRoutes(t, nsA, ipB, cluster) })
	t.Run("pod to pod", func(t *testing.T) { checkTCP(t, nsA, nsB, ipB) })
	t.Run("host to pod", func(t *testing.T) { checkTCP(t, "", nsB, ipB) })
	t.Run("pod to host", func(t *testing.T) { checkPodToHost(t, nsA, e.m.Gateway()) })
	if got := readSysctl(t, "net/ipv4/ip_forward"); got != forward {
		t.Errorf("ip_forward changed from %s to %s", forward, got)
	}
}

func readSysctl(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// checkLinks: the pod has lo and eth0, both up, and eth0 has the pod address with the
// cluster prefix length.
func checkLinks(t *testing.T, ns string, ip net.IP, cluster *net.IPNet) {
	h := inside(t, ns)
	links, err := h.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range links {
		names = append(names, l.Attrs().Name)
		if l.Attrs().Flags&net.FlagUp == 0 {
			t.Errorf("%s is down", l.Attrs().Name)
		}
	}
	if slices.Sort(names); strings.Join(names, ",") != "eth0,lo" {
		t.Errorf("links in the pod = %v, want eth0 and lo", names)
	}
	eth, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := h.AddrList(eth, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	want := (&net.IPNet{IP: ip, Mask: cluster.Mask}).String()
	if len(addrs) != 1 || addrs[0].IPNet.String() != want {
		t.Errorf("eth0 addresses = %v, want %s", addrs, want)
	}
	if mac := podMAC(netip.MustParseAddr(ip.String())); eth.Attrs().HardwareAddr.String() != mac.String() {
		t.Errorf("eth0 MAC = %s, want %s (derived from the address)", eth.Attrs().HardwareAddr, mac)
	}
}

// checkRoutes: the cluster CIDR on-link is the only route, and the route lookup for a
// TEST-NET address fails with network unreachable (nothing is sent).
func checkRoutes(t *testing.T, ns string, peer net.IP, cluster *net.IPNet) {
	h := inside(t, ns)
	routes, err := h.RouteList(nil, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 1 || routes[0].Dst == nil || routes[0].Dst.String() != cluster.String() ||
		routes[0].Scope != netlink.SCOPE_LINK || routes[0].Gw != nil {
		t.Errorf("routes in the pod = %v, want only %s on-link", routes, cluster)
	}
	if _, err := h.RouteGet(net.ParseIP("192.0.2.1")); !errors.Is(err, unix.ENETUNREACH) {
		t.Errorf("route to 192.0.2.1 from the pod: %v, want network unreachable", err)
	}
	if r, err := h.RouteGet(peer); err != nil || len(r) != 1 || r[0].Gw != nil {
		t.Errorf("route to the peer pod %s = %v, %v; want on-link", peer, r, err)
	}
}

// checkTCP runs an echo server in nsServer and connects from nsClient ("" = the host).
func checkTCP(t *testing.T, nsClient, nsServer string, ip net.IP) {
	l, err := Listen(nsServer, "tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	serveEcho(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var c net.Conn
	if nsClient == "" {
		c, err = (&net.Dialer{}).DialContext(ctx, "tcp", l.Addr().String())
	} else {
		c, err = DialContext(ctx, nsClient, "tcp", l.Addr().String())
	}
	if err != nil {
		t.Fatal(err)
	}
	checkEcho(t, c)
}

// checkPodToHost: a pod reaches a listener on the host's bridge address.
func checkPodToHost(t *testing.T, ns string, gw net.IP) {
	l, err := net.Listen("tcp", net.JoinHostPort(gw.String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	serveEcho(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialContext(ctx, ns, "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	checkEcho(t, c)
}

// serveEcho echoes one line per connection until the listener is closed at cleanup.
func serveEcho(t *testing.T, l net.Listener) {
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, "echo "+line)
			}()
		}
	}()
}

func checkEcho(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "hello\n"); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || got != "echo hello\n" {
		t.Fatalf("echo = %q, %v", got, err)
	}
}

// TestNode: a Node allocates in its own CIDR and has the runtime's method shapes.
func TestNode(t *testing.T) {
	e := newTestEnv(t)
	half := netip.PrefixFrom(e.m.cfg.cluster.Addr(), 25)
	upper := netip.PrefixFrom(lastAddr(half).Next(), 25)
	if _, err := e.m.Node("10.0.0.0/24"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Node outside the cluster = %v, want ErrInvalid", err)
	}
	n, err := e.m.Node(upper.String())
	if err != nil {
		t.Fatal(err)
	}
	if n.CIDR() != upper.String() || e.m.Bridge() != e.opts.Bridge {
		t.Fatalf("Node CIDR %s on bridge %s, want %s on %s", n.CIDR(), e.m.Bridge(), upper, e.opts.Bridge)
	}
	var runtime interface {
		Setup(podID, netnsPath string) (string, error)
		Teardown(podID, netnsPath string) error
	} = n
	ns := e.netns("pod")
	e.track("pod", ns)
	ipStr, err := runtime.Setup("pod", ns)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := netip.ParseAddr(ipStr)
	if err != nil || !upper.Contains(ip) {
		t.Fatalf("Node(%s).Setup = %q, %v; want an address in the node CIDR", upper, ipStr, err)
	}
	checkTCP(t, "", ns, net.IP(ip.AsSlice()))
	if err := runtime.Teardown("pod", ns); err != nil {
		t.Fatal(err)
	}
}

// TestReadyWhenSetupReturns: when Setup returns, the kernel has applied the new
// carriers: the veth's bridge port forwards and the veth and bridge are
// operationally up, so the pod's first packets are not dropped. (operstate and
// brport/state are read without syncing link watch, unlike carrier.)
func TestReadyWhenSetupReturns(t *testing.T) {
	e := newTestEnv(t)
	for i := range 6 {
		pod := fmt.Sprint("pod-", i)
		e.setup(pod)
		name, _ := e.m.cfg.hostVeth(pod)
		for file, want := range map[string]string{
			name + "/operstate":          "up",
			name + "/brport/state":       "3", // BR_STATE_FORWARDING
			e.opts.Bridge + "/operstate": "up",
		} {
			b, err := os.ReadFile("/sys/class/net/" + file)
			if got := strings.TrimSpace(string(b)); err != nil || got != want {
				t.Errorf("after Setup %d: %s = %q, %v; want %q", i, file, got, err, want)
			}
		}
		if i%2 == 0 { // the next pod is the bridge's first again
			if err := e.m.Teardown(pod, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestSetupAgainKeepsAddress(t *testing.T) {
	e := newTestEnv(t)
	ns, ip := e.setup("pod")
	again, err := e.m.Setup("pod", ns, "")
	if err != nil || !again.Equal(ip) {
		t.Fatalf("second Setup = %v, %v; want %s", again, err, ip)
	}
	if got, err := e.m.IP("pod"); err != nil || !got.Equal(ip) {
		t.Fatalf("IP(pod) = %v, %v; want %s", got, err, ip)
	}
	checkLinks(t, ns, ip, e.m.ClusterCIDR())
	checkTCP(t, "", ns, ip)
}

func TestTeardown(t *testing.T) {
	e := newTestEnv(t)
	ns, _ := e.setup("pod")
	if err := e.m.Teardown("pod", ns); err != nil {
		t.Fatal(err)
	}
	name, _ := e.m.cfg.hostVeth("pod")
	if _, err := netlink.LinkByName(name); err == nil {
		t.Error("the host veth survived Teardown")
	}
	if _, err := inside(t, ns).LinkByName("eth0"); err == nil {
		t.Error("eth0 survived Teardown")
	}
	if got, err := e.m.IP("pod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("IP after Teardown = %v, %v; want ErrNotFound", got, err)
	}
	tests := []struct {
		name, pod, ns string
	}{
		{name: "again", pod: "pod", ns: ns},
		{name: "without a netns path", pod: "pod"},
		{name: "unknown pod", pod: "never-set-up", ns: ns},
		{name: "netns already gone", pod: "pod", ns: filepath.Join(e.dir, "gone")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.m.Teardown(tt.pod, tt.ns); err != nil {
				t.Fatalf("Teardown = %v, want nil", err)
			}
		})
	}
	pods, err := e.m.Pods()
	if err != nil || len(pods) != 0 {
		t.Fatalf("Pods() = %v, %v; want none", pods, err)
	}
}

// TestTeardownAfterNetNSDeleted: deleting the namespace first (a shim that died)
// leaves Teardown only the address to free.
func TestTeardownAfterNetNSDeleted(t *testing.T) {
	e := newTestEnv(t)
	ns, _ := e.setup("pod")
	if err := DeleteNetNS(ns); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Teardown("pod", ns); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.IP("pod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("IP after Teardown = %v; want ErrNotFound", err)
	}
}

// TestForeignVethUntouched: a link that has a pod's veth name but not its alias (a
// hash collision, or someone else's link) is neither rebuilt by Setup nor deleted by
// Teardown.
func TestForeignVethUntouched(t *testing.T) {
	e := newTestEnv(t)
	name, _ := e.m.cfg.hostVeth("pod")
	foreign := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: name + "p"}
	if err := netlink.LinkAdd(foreign); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(name) })
	ns := e.netns("pod")
	if _, err := e.m.Setup("pod", ns, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("Setup over a foreign link = %v, want ErrConflict", err)
	}
	if err := e.m.Teardown("pod", ns); err != nil {
		t.Fatal(err)
	}
	if l := mustLink(t, name); l.Type() != "veth" || l.Attrs().MasterIndex != 0 || l.Attrs().Alias != "" {
		t.Errorf("the foreign link was touched: %+v", l.Attrs())
	}
	if pods, err := e.m.Pods(); err != nil || len(pods) != 0 {
		t.Errorf("Pods() = %v, %v; want none", pods, err)
	}
}

// TestSetupForeignEth0: a namespace that already has an eth0 of someone else's is a
// conflict, and that eth0 stays.
func TestSetupForeignEth0(t *testing.T) {
	e := newTestEnv(t)
	ns := e.netns("pod")
	h := inside(t, ns)
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}, PeerName: "other"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Setup("pod", ns, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("Setup over a foreign eth0 = %v, want ErrConflict", err)
	}
	if l, err := h.LinkByName("eth0"); err != nil || l.Attrs().MasterIndex != 0 || len(mustAddrs(t, h, l)) != 0 {
		t.Errorf("the foreign eth0 was touched: %v, %v", l, err)
	}
	if pods, err := e.m.Pods(); err != nil || len(pods) != 0 {
		t.Errorf("Pods() = %v, %v; want none", pods, err)
	}
}

func mustAddrs(t *testing.T, h *netlink.Handle, l netlink.Link) []netlink.Addr {
	t.Helper()
	addrs, err := h.AddrList(l, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	return addrs
}

func TestSetupRejects(t *testing.T) {
	e := newTestEnv(t)
	ns := e.netns("ok")
	plain := filepath.Join(e.dir, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, pod, ns, node string
		err                 error
	}{
		{name: "empty pod ID", ns: ns, err: ErrInvalid},
		{name: "host network namespace", pod: "p", ns: "/proc/self/ns/net", err: ErrInvalid},
		{name: "another kind of namespace", pod: "p", ns: "/proc/self/ns/uts", err: ErrInvalid},
		{name: "plain file", pod: "p", ns: plain, err: ErrInvalid},
		{name: "empty path", pod: "p", err: ErrInvalid},
		{name: "missing path", pod: "p", ns: filepath.Join(e.dir, "missing"), err: os.ErrNotExist},
		{name: "node CIDR outside the cluster", pod: "p", ns: ns, node: "10.251.0.0/24", err: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip, err := e.m.Setup(tt.pod, tt.ns, tt.node)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Setup = %v, %v; want %v", ip, err, tt.err)
			}
		})
	}
	if pods, err := e.m.Pods(); err != nil || len(pods) != 0 {
		t.Errorf("failed Setups left allocations: %v, %v", pods, err)
	}
	if _, err := netlink.LinkByName(e.opts.Bridge); err == nil {
		t.Errorf("failed Setups made the bridge")
	}
}

func mustLink(t *testing.T, name string) netlink.Link {
	t.Helper()
	l, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestNewConflicts: New touches nothing that is not its own.
func TestNewConflicts(t *testing.T) {
	e := newTestEnv(t)
	e.setup("pod") // makes the bridge
	dummy := "mtd" + e.opts.Bridge[2:]
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: dummy}, PeerName: dummy + "p"}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(dummy) })
	other := "mto" + e.opts.Bridge[2:]
	t.Cleanup(func() { deleteLink(other) })
	tests := []struct {
		name string
		opts Options
	}{
		{name: "cluster CIDR routed through another bridge", opts: Options{Bridge: other, ClusterCIDR: e.opts.ClusterCIDR}},
		{name: "cluster CIDR overlapping a larger one", opts: Options{Bridge: other, ClusterCIDR: "10.250.0.0/16"}},
		{name: "bridge with another address", opts: Options{Bridge: e.opts.Bridge, ClusterCIDR: "10.251.255.0/24"}},
		{name: "name taken by a veth", opts: Options{Bridge: dummy, ClusterCIDR: "10.251.254.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.StateDir = t.TempDir()
			if _, err := New(tt.opts); !errors.Is(err, ErrConflict) {
				t.Fatalf("New = %v, want ErrConflict", err)
			}
			if _, err := netlink.LinkByName(other); err == nil {
				t.Fatalf("New created %s despite the conflict", other)
			}
		})
	}
	if l := mustLink(t, dummy); l.Type() != "veth" || l.Attrs().MasterIndex != 0 || l.Attrs().Flags&net.FlagUp != 0 {
		t.Errorf("the non-bridge link was touched: %+v", l.Attrs())
	}
}

// TestBridgeLifecycle: the first Setup makes the bridge, the last Teardown removes
// it, and the next Setup makes it again.
func TestBridgeLifecycle(t *testing.T) {
	e := newTestEnv(t)
	if _, err := netlink.LinkByName(e.opts.Bridge); err == nil {
		t.Fatal("New made the bridge before any pod")
	}
	nsA, _ := e.setup("pod-a")
	nsB, ipB := e.setup("pod-b")
	if err := e.m.Teardown("pod-a", nsA); err != nil {
		t.Fatal(err)
	}
	checkTCP(t, "", nsB, ipB) // the bridge stays while a pod has it
	if err := e.m.Teardown("pod-b", nsB); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(e.opts.Bridge); err == nil {
		t.Fatal("the bridge survived the last pod")
	}
	ip, err := e.m.Setup("pod-a", nsA, "")
	if err != nil {
		t.Fatal(err)
	}
	checkTCP(t, "", nsA, ip)
}

// TestBridgeSharedAcrossStateDirs: two Managers on one bridge with separate
// StateDirs (as tests do): the last pod of one does not take the bridge from the
// other's pods.
func TestBridgeSharedAcrossStateDirs(t *testing.T) {
	e := newTestEnv(t)
	other := e.opts
	other.StateDir = t.TempDir()
	m2, err := New(other)
	if err != nil {
		t.Fatal(err)
	}
	nsA, _ := e.setup("pod-a")
	nsB := e.netns("pod-b")
	t.Cleanup(func() { m2.Teardown("pod-b", nsB) })
	// Separate StateDirs allocate independently: they need disjoint node CIDRs.
	upper := netip.PrefixFrom(lastAddr(netip.PrefixFrom(e.m.cfg.cluster.Addr(), 25)).Next(), 25)
	ipB, err := m2.Setup("pod-b", nsB, upper.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.m.Teardown("pod-a", nsA); err != nil {
		t.Fatal(err)
	}
	checkTCP(t, "", nsB, ipB)
	if err := e.m.RemoveBridge(); !errors.Is(err, ErrInUse) {
		t.Fatalf("RemoveBridge with another Manager's pod on it = %v, want ErrInUse", err)
	}
}

// TestKeepBridge: with KeepBridge the bridge stays until RemoveBridge, which refuses
// while a pod has an address.
func TestKeepBridge(t *testing.T) {
	e := newTestEnvWith(t, Options{KeepBridge: true})
	ns, _ := e.setup("pod")
	if err := e.m.RemoveBridge(); !errors.Is(err, ErrInUse) {
		t.Fatalf("RemoveBridge with a pod = %v, want ErrInUse", err)
	}
	if err := e.m.Teardown("pod", ns); err != nil {
		t.Fatal(err)
	}
	mustLink(t, e.opts.Bridge)
	for range 2 {
		if err := e.m.RemoveBridge(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := netlink.LinkByName(e.opts.Bridge); err == nil {
		t.Fatal("bridge survived RemoveBridge")
	}
}

// TestConcurrentSetup runs Setup from goroutines and from other processes on one
// bridge and StateDir: every pod gets its own address, and Teardown frees them all.
func TestConcurrentSetup(t *testing.T) {
	const goroutines, procs, each = 6, 2, 4
	e := newTestEnv(t)
	results := make(chan setupResult, (goroutines+procs)*each)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() { setupInGoroutine(t, e, fmt.Sprint("g", g), each, results) })
	}
	for p := range procs {
		wg.Go(func() { setupInProcess(t, e, fmt.Sprint("proc", p), each, results) })
	}
	wg.Wait()
	close(results)
	ips := make(chan string, cap(results))
	for r := range results {
		ips <- r.ip
		checkLinks(t, r.ns, net.ParseIP(r.ip), e.m.ClusterCIDR())
	}
	close(ips)
	checkUnique(t, ips, (goroutines+procs)*each)

	pods, err := e.m.Pods()
	if err != nil || len(pods) != (goroutines+procs)*each {
		t.Fatalf("Pods() = %d allocations, %v; want %d", len(pods), err, (goroutines+procs)*each)
	}
	for pod := range pods {
		if err := e.m.Teardown(pod, ""); err != nil {
			t.Error(err)
		}
	}
	if pods, err := e.m.Pods(); err != nil || len(pods) != 0 {
		t.Errorf("after Teardown Pods() = %v, %v; want none", pods, err)
	}
}

type setupResult struct{ pod, ns, ip string }

// setupInGoroutine makes namespaces and sets up pods prefix-0 .. prefix-(n-1) in them,
// racing the other goroutines and processes.
func setupInGoroutine(t *testing.T, e *testEnv, prefix string, n int, out chan<- setupResult) {
	for i := range n {
		pod := fmt.Sprintf("%s-%d", prefix, i)
		ns := filepath.Join(e.dir, pod)
		if err := NewNetNS(ns); err != nil {
			t.Error(err)
			return
		}
		e.tb.Cleanup(func() { DeleteNetNS(ns) })
		e.track(pod, ns)
		ip, err := e.m.Setup(pod, ns, "")
		if err != nil {
			t.Error(err)
			return
		}
		out <- setupResult{pod, ns, ip.String()}
	}
}

// setupInProcess has a child process (this test binary) set up its pods, in
// namespaces it makes under the test's directory.
func setupInProcess(t *testing.T, e *testEnv, prefix string, n int, out chan<- setupResult) {
	for i := range n {
		pod := fmt.Sprintf("%s-%d", prefix, i)
		ns := filepath.Join(e.dir, pod)
		e.tb.Cleanup(func() { DeleteNetNS(ns) })
		e.track(pod, ns)
	}
	lines, err := runChildProcess("setup", e.opts.StateDir, e.opts.Bridge, e.opts.ClusterCIDR, e.dir, prefix, strconv.Itoa(n))
	if err != nil {
		t.Error(err)
		return
	}
	for _, l := range lines {
		f := strings.Fields(l)
		out <- setupResult{f[0], filepath.Join(e.dir, f[0]), f[1]}
	}
}

// childSetup is the child side of TestConcurrentSetup: args stateDir, bridge, cluster
// CIDR, netns dir, pod prefix, count. It leaves its namespaces and veths for the
// parent to remove (the parent registered their cleanup before starting it).
func childSetup(args []string) error {
	n, err := strconv.Atoi(args[5])
	if err != nil {
		return err
	}
	m, err := New(Options{StateDir: args[0], Bridge: args[1], ClusterCIDR: args[2]})
	if err != nil {
		return err
	}
	for i := range n {
		pod := fmt.Sprintf("%s-%d", args[4], i)
		ns := filepath.Join(args[3], pod)
		if err := NewNetNS(ns); err != nil {
			return err
		}
		ip, err := m.Setup(pod, ns, "")
		if err != nil {
			return err
		}
		fmt.Println(pod, ip)
	}
	return nil
}

// BenchmarkSetupTeardown measures the network part of a pod start and stop: veth,
// address, routes and IPAM, in an existing namespace. setup-ns/op is what a pod start
// pays; teardown-ns/op is mostly the kernel unregistering the veth (RCU barriers).
func BenchmarkSetupTeardown(b *testing.B) {
	e := newTestEnvWith(b, Options{KeepBridge: true}) // as on a node that runs other pods
	ns := e.netns("bench")
	e.track("bench", ns)
	var setup, teardown time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.m.Setup("bench", ns, ""); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := e.m.Teardown("bench", ns); err != nil {
			b.Fatal(err)
		}
		setup, teardown = setup+t1.Sub(t0), teardown+time.Since(t1)
	}
	b.ReportMetric(float64(setup.Nanoseconds())/float64(b.N), "setup-ns/op")
	b.ReportMetric(float64(teardown.Nanoseconds())/float64(b.N), "teardown-ns/op")
}

// BenchmarkSetupTeardownWithNetNS adds creating and deleting the namespace, as a
// test or a caller without a shim would.
func BenchmarkSetupTeardownWithNetNS(b *testing.B) {
	e := newTestEnvWith(b, Options{KeepBridge: true})
	ns := filepath.Join(e.dir, "bench")
	e.track("bench", ns)
	b.Cleanup(func() { DeleteNetNS(ns) })
	for b.Loop() {
		if err := NewNetNS(ns); err != nil {
			b.Fatal(err)
		}
		if _, err := e.m.Setup("bench", ns, ""); err != nil {
			b.Fatal(err)
		}
		if err := e.m.Teardown("bench", ns); err != nil {
			b.Fatal(err)
		}
		if err := DeleteNetNS(ns); err != nil {
			b.Fatal(err)
		}
	}
}

// TestThreadsStayInHostNetNS: after Setup, Teardown, NewNetNS, DialContext and Listen
// have entered pod namespaces many times, every thread of the process is back in the
// host's namespace.
func TestThreadsStayInHostNetNS(t *testing.T) {
	e := newTestEnv(t)
	for i := range 10 {
		ns, ip := e.setup(fmt.Sprint("pod-", i))
		checkTCP(t, "", ns, ip)
		if err := e.m.Teardown(fmt.Sprint("pod-", i), ns); err != nil {
			t.Fatal(err)
		}
	}
	host, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		ns, err := os.Readlink(filepath.Join("/proc/self/task", task.Name(), "ns/net"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		if ns != host {
			t.Errorf("thread %s is in %s, not the host's %s", task.Name(), ns, host)
		}
	}
}

// TestNewConcurrent: many Managers starting at once (the engine and several shims),
// each setting up a pod, agree on one bridge with one gateway address.
func TestNewConcurrent(t *testing.T) {
	e := newTestEnv(t)
	nss := make([]string, 8)
	for i := range nss {
		nss[i] = e.netns(fmt.Sprint("pod-", i))
		e.track(fmt.Sprint("pod-", i), nss[i])
	}
	var wg sync.WaitGroup
	for i, ns := range nss {
		wg.Go(func() {
			m, err := New(e.opts)
			if err == nil {
				_, err = m.Setup(fmt.Sprint("pod-", i), ns, "")
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	br := mustLink(t, e.opts.Bridge)
	addrs, err := netlink.AddrList(br, unix.AF_INET)
	if err != nil || len(addrs) != 1 || !addrs[0].IP.Equal(e.m.Gateway()) || !isUp(br) {
		t.Fatalf("bridge %s: up=%v addresses %v, %v; want up with only %s", e.opts.Bridge, isUp(br), addrs, err, e.m.Gateway())
	}
	if ports := bridgePorts(br.Attrs().Index); len(ports) != len(nss) {
		t.Errorf("bridge ports = %v, want %d", ports, len(nss))
	}
}

// BenchmarkSetupTeardownBusyNode is BenchmarkSetupTeardown with 100 other pods on the
// bridge and in the IPAM log.
func BenchmarkSetupTeardownBusyNode(b *testing.B) {
	e := newTestEnv(b)
	for i := range 100 {
		e.setup(fmt.Sprint("idle-", i))
	}
	ns := e.netns("bench")
	e.track("bench", ns)
	var setup time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.m.Setup("bench", ns, ""); err != nil {
			b.Fatal(err)
		}
		setup += time.Since(t0)
		if err := e.m.Teardown("bench", ns); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(setup.Nanoseconds())/float64(b.N), "setup-ns/op")
}
