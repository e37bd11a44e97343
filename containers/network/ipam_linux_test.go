package network

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestPick(t *testing.T) {
	p24 := netip.MustParsePrefix("10.250.3.0/24")
	p30 := netip.MustParsePrefix("10.250.3.0/30")
	gw := netip.MustParseAddr("10.250.3.1")
	a := netip.MustParseAddr
	tests := []struct {
		name string
		node netip.Prefix
		last netip.Addr
		used []string
		want string // "" = exhausted
	}{
		{name: "first skips network and gateway", node: p24, want: "10.250.3.2"},
		{name: "round robin after last", node: p24, last: a("10.250.3.7"), want: "10.250.3.8"},
		{name: "skips used", node: p24, last: a("10.250.3.7"), used: []string{"10.250.3.8", "10.250.3.9"}, want: "10.250.3.10"},
		{name: "wraps before broadcast", node: p24, last: a("10.250.3.254"), want: "10.250.3.2"},
		{name: "last outside the node", node: p24, last: a("10.9.9.9"), want: "10.250.3.2"},
		{name: "slash 30 has one pod address", node: p30, want: "10.250.3.2"},
		{name: "slash 30 exhausted", node: p30, used: []string{"10.250.3.2"}},
		{name: "node without the gateway uses its .1", node: netip.MustParsePrefix("10.250.4.0/24"), want: "10.250.4.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := map[netip.Addr]bool{}
			for _, u := range tt.used {
				used[a(u)] = true
			}
			got, ok := pick(tt.node, tt.last, gw, used)
			if tt.want == "" {
				if ok {
					t.Fatalf("pick() = %v, want exhausted", got)
				}
				return
			}
			if !ok || got != a(tt.want) {
				t.Fatalf("pick() = %v, %v; want %s", got, ok, tt.want)
			}
		})
	}
}

func testIPAM(t testing.TB, dir string) *ipam {
	t.Helper()
	a, err := newIPAM(dir, "mt0")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestIPAMLifecycle(t *testing.T) {
	dir := t.TempDir()
	a := testIPAM(t, dir)
	node := netip.MustParsePrefix("10.250.3.0/29") // .2 .. .6 free (.1 gateway, .7 broadcast)
	gw := netip.MustParseAddr("10.250.3.1")
	var got []string
	for i := range 5 {
		ip, fresh, err := a.allocate(fmt.Sprint("p", i), node, gw)
		if err != nil || !fresh {
			t.Fatalf("allocate p%d = %v, %v, %v", i, ip, fresh, err)
		}
		got = append(got, ip.String())
	}
	if want := "10.250.3.2 10.250.3.3 10.250.3.4 10.250.3.5 10.250.3.6"; strings.Join(got, " ") != want {
		t.Fatalf("allocations = %v, want %s", got, want)
	}
	if _, _, err := a.allocate("p5", node, gw); !errors.Is(err, ErrExhausted) {
		t.Fatalf("allocate on a full node = %v, want ErrExhausted", err)
	}
	if ip, fresh, err := a.allocate("p1", node, gw); err != nil || fresh || ip.String() != "10.250.3.3" {
		t.Fatalf("allocate again for p1 = %v, %v, %v; want its own address, not fresh", ip, fresh, err)
	}
	if ip, err := a.release("p1"); err != nil || ip.String() != "10.250.3.3" {
		t.Fatalf("release p1 = %v, %v", ip, err)
	}
	if _, err := a.release("p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second release = %v, want ErrNotFound", err)
	}
	// A second ipam on the same files (another process) sees the same state.
	b := testIPAM(t, dir)
	if ip, _, err := b.allocate("p5", node, gw); err != nil || ip.String() != "10.250.3.3" {
		t.Fatalf("allocate in the freed slot = %v, %v; want 10.250.3.3", ip, err)
	}
	pods, err := b.pods()
	if err != nil || len(pods) != 5 {
		t.Fatalf("pods() = %v, %v; want 5 allocations", pods, err)
	}
}

func TestIPAMForgetsOtherBoots(t *testing.T) {
	dir := t.TempDir()
	a := testIPAM(t, dir)
	node := netip.MustParsePrefix("10.250.3.0/24")
	if _, _, err := a.allocate("old", node, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	a.bootID = "another boot"
	pods, err := a.pods()
	if err != nil || len(pods) != 0 {
		t.Fatalf("pods() after a reboot = %v, %v; want none", pods, err)
	}
}

// TestIPAMLog: a torn last line (a process killed mid-append) is skipped and the next
// append still lands on its own line; compaction keeps allocations and the
// round-robin position.
func TestIPAMLog(t *testing.T) {
	dir := t.TempDir()
	a := testIPAM(t, dir)
	node := netip.MustParsePrefix("10.250.3.0/24")
	for _, p := range []string{"a", "b"} {
		if _, _, err := a.allocate(p, node, netip.Addr{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(a.log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("+ 10.250.3.9 10.250.3.0/24 \"tor")
	f.Close()
	if ip, _, err := a.allocate("c", node, netip.Addr{}); err != nil || ip.String() != "10.250.3.3" {
		t.Fatalf("allocate after a torn line = %v, %v; want 10.250.3.3", ip, err)
	}
	wantPods := "a=10.250.3.1 b=10.250.3.2 c=10.250.3.3"
	if got := podsString(t, a); got != wantPods {
		t.Fatalf("pods = %s, want %s", got, wantPods)
	}
	st := a.replay(mustRead(t, a.log))
	if err := a.compact(st); err != nil {
		t.Fatal(err)
	}
	if got := podsString(t, a); got != wantPods {
		t.Fatalf("pods after compaction = %s, want %s", got, wantPods)
	}
	if ip, _, err := a.allocate("d", node, netip.Addr{}); err != nil || ip.String() != "10.250.3.4" {
		t.Fatalf("allocate after compaction = %v, %v; want 10.250.3.4 (round robin kept)", ip, err)
	}
}

// TestIPAMCompactsAutomatically: churn does not grow the log without bound.
func TestIPAMCompactsAutomatically(t *testing.T) {
	a := testIPAM(t, t.TempDir())
	node := netip.MustParsePrefix("10.250.3.0/24")
	if _, _, err := a.allocate("stays", node, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if _, _, err := a.allocate("churn", node, netip.Addr{}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.release("churn"); err != nil {
			t.Fatal(err)
		}
	}
	if lines := bytes.Count(mustRead(t, a.log), []byte("\n")); lines > 100 {
		t.Errorf("log has %d lines after churn, want it compacted", lines)
	}
	if got := podsString(t, a); got != "stays=10.250.3.1" {
		t.Errorf("pods = %s, want stays=10.250.3.1", got)
	}
}

func podsString(t *testing.T, a *ipam) string {
	t.Helper()
	pods, err := a.pods()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p, ip := range pods {
		out = append(out, p+"="+ip.String())
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIPAMConcurrent allocates from goroutines and from other processes (this test
// binary re-executed) at once, on one StateDir, and checks no address is given twice.
func TestIPAMConcurrent(t *testing.T) {
	const goroutines, procs, each = 8, 3, 12
	dir := t.TempDir()
	node := "10.250.0.0/23"
	results := make(chan string, (goroutines+procs)*each)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ip, err := allocateOnce(dir, fmt.Sprintf("g%d-%d", g, i), node)
				if err != nil {
					t.Error(err)
					return
				}
				results <- ip
			}
		}()
	}
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ips, err := runChildProcess("ipam", dir, node, fmt.Sprint("proc", p), strconv.Itoa(each))
			if err != nil {
				t.Error(err)
				return
			}
			for _, ip := range ips {
				results <- ip
			}
		}()
	}
	wg.Wait()
	close(results)
	checkUnique(t, results, (goroutines+procs)*each)
	pods, err := testIPAM(t, dir).pods()
	if err != nil || len(pods) != (goroutines+procs)*each {
		t.Fatalf("state holds %d allocations (%v), want %d", len(pods), err, (goroutines+procs)*each)
	}
}

func checkUnique(t *testing.T, ips <-chan string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for ip := range ips {
		if seen[ip] {
			t.Errorf("address %s handed out twice", ip)
		}
		seen[ip] = true
	}
	if len(seen) != want {
		t.Errorf("got %d distinct addresses, want %d", len(seen), want)
	}
}

// allocateOnce uses a fresh ipam each time, as separate processes would.
func allocateOnce(dir, podID, node string) (string, error) {
	a, err := newIPAM(dir, "mt0")
	if err != nil {
		return "", err
	}
	ip, _, err := a.allocate(podID, netip.MustParsePrefix(node), netip.MustParseAddr("10.250.0.1"))
	return ip.String(), err
}

// childIPAM is the child side of TestIPAMConcurrent: args dir, node, pod prefix, count.
func childIPAM(args []string) error {
	n, err := strconv.Atoi(args[3])
	if err != nil {
		return err
	}
	for i := range n {
		ip, err := allocateOnce(args[0], fmt.Sprintf("%s-%d", args[2], i), args[1])
		if err != nil {
			return err
		}
		fmt.Println(ip)
	}
	return nil
}

// runChildProcess re-executes the test binary in a child role; each output line is a
// result.
func runChildProcess(role string, args ...string) ([]string, error) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("child %s: %v: %s", role, err, stderr.String())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, nil
}

func runChild(role string) error {
	args := os.Args[1:]
	switch role {
	case "ipam":
		return childIPAM(args)
	case "setup":
		return childSetup(args)
	}
	return fmt.Errorf("unknown child role %q (%s)", role, filepath.Base(os.Args[0]))
}

// BenchmarkIPAMAllocateRelease: one allocation and one release with 250 other pods in
// the log (a full /24 node), on the test's temporary directory.
func BenchmarkIPAMAllocateRelease(b *testing.B) {
	a := testIPAM(b, b.TempDir())
	node := netip.MustParsePrefix("10.250.0.0/22")
	for i := range 250 {
		if _, _, err := a.allocate(fmt.Sprintf("7f3c2a1e-0000-4000-8000-%012d", i), node, netip.Addr{}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, _, err := a.allocate("churn", node, netip.Addr{}); err != nil {
			b.Fatal(err)
		}
		if _, err := a.release("churn"); err != nil {
			b.Fatal(err)
		}
	}
}
