package containers

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/containers/network"
)

// podNetwork returns a node network on a bridge and /24 of the test's own
// (10.251.0.0/16, apart from Min's 10.244.0.0/16), removed at cleanup.
func podNetwork(t testing.TB) (*network.Node, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("pod networking needs root")
	}
	for i := range 250 {
		n := (os.Getpid()+i)%250 + 1
		m, err := network.New(network.Options{
			Bridge:      fmt.Sprintf("mct%d", n),
			ClusterCIDR: fmt.Sprintf("10.251.%d.0/24", n),
			StateDir:    t.TempDir(),
		})
		if err != nil {
			continue // a name or range in use: try the next
		}
		t.Cleanup(func() {
			if err := m.RemoveBridge(); err != nil {
				t.Error(err)
			}
			if _, err := net.InterfaceByName(m.Bridge()); err == nil {
				t.Errorf("bridge %s left", m.Bridge())
			}
		})
		node, err := m.Node("")
		if err != nil {
			t.Fatal(err)
		}
		return node, m.Bridge()
	}
	t.Fatal("no free bridge name and range for the test")
	return nil, ""
}

// slowNetwork wires pods late, so that a command run before its network
// is wired would see it missing.
type slowNetwork struct{ PodNetwork }

func (n slowNetwork) Setup(podID, netnsPath string) (string, error) {
	time.Sleep(200 * time.Millisecond)
	return n.PodNetwork.Setup(podID, netnsPath)
}

func TestPodNetwork(t *testing.T) {
	node, bridge := podNetwork(t)
	r := newRuntime(t, Options{Network: slowNetwork{node}})
	server := ContainerSpec{Name: "server", Image: "busybox",
		Command: []string{"sh", "-c", "while true; do echo hello from $(hostname) | nc -l -p 8080; done"}}
	// What the command sees at its start: the network is wired before it runs.
	atStart := ContainerSpec{Name: "c", Image: "busybox",
		Command: []string{"sh", "-c", "{ ip -4 -o addr show eth0; cat /etc/hosts; } > /tmp/at-start 2>&1; exec sleep 1000"}}
	runPod(t, r, PodSpec{UID: "net-a", Name: "a", Containers: []ContainerSpec{atStart}})
	runPod(t, r, PodSpec{UID: "net-b", Name: "b", Containers: []ContainerSpec{server}})
	a, _ := r.PodStatus("net-a")
	b, _ := r.PodStatus("net-b")
	if net.ParseIP(a.IP) == nil || net.ParseIP(b.IP) == nil || a.IP == b.IP {
		t.Fatalf("pod IPs %q and %q", a.IP, b.IP)
	}
	if out, _, _ := execIn(t, r, "net-a", "c", "sh", "-c", "ip -o link | cut -d: -f2 | cut -d@ -f1"); out != " lo\n eth0\n" {
		t.Errorf("interfaces in the pod: %q, want lo and eth0", out)
	}
	if out, _, _ := execIn(t, r, "net-a", "c", "ip", "-4", "addr", "show", "eth0"); !strings.Contains(out, "inet "+a.IP+"/") {
		t.Errorf("eth0 does not have the pod IP %s:\n%s", a.IP, out)
	}
	if out, _, _ := execIn(t, r, "net-a", "c", "cat", "/etc/hosts"); !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(a.IP) + `\ta$`).MatchString(out) {
		t.Errorf("/etc/hosts lacks the pod IP:\n%s", out)
	}
	var seen string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !strings.Contains(seen, "localhost"); {
		seen, _, _ = execIn(t, r, "net-a", "c", "cat", "/tmp/at-start")
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(seen, "inet "+a.IP+"/") || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(a.IP)+`\ta$`).MatchString(seen) {
		t.Errorf("at its start the command saw no eth0 address or hosts entry:\n%s", seen)
	}
	// Pod to pod by IP, without NAT.
	var out string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if out, _, _ = execIn(t, r, "net-a", "c", "nc", "-w", "2", b.IP, "8080"); out != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out != "hello from b\n" {
		t.Errorf("pod a read %q from pod b", out)
	}
	// The host reaches the pod.
	var line string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); { // the server's nc restarts after each connection
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(b.IP, "8080"), 2*time.Second)
		if err == nil {
			line, _ = bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if line != "hello from b\n" {
		t.Errorf("host read %q from the pod over %s", line, bridge)
	}
	// Port-forward's way in: dial inside the pod's network namespace.
	if ns := r.NetNSPath("net-b"); ns == "" {
		t.Error("no network namespace path for a running pod")
	}
}
