package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/containers/cgroup"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/cluster"
	"k8s.io/apimachinery/pkg/api/resource"
)

// openHost opens an engine that runs real pods on this machine, on a
// bridge and cluster CIDR of the test's own, and removes everything after.
func openHost(t *testing.T) *Engine {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs real containers in namespaces and cgroups")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs /bin/busybox (Debian's busybox-static) for the busybox image")
	}
	nopts := network.Options{Bridge: fmt.Sprintf("mint%d", os.Getpid()%100000),
		ClusterCIDR: "10.252.0.0/16", StateDir: filepath.Join(t.TempDir(), "net")}
	parent := fmt.Sprintf("min-test-%d", os.Getpid())
	e, err := Open(t.TempDir(), Options{Network: nopts, CgroupParent: parent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		list, _ := e.List(ctx, "pods", ListOptions{})
		for _, o := range list.Items {
			m := o.GetObjectMeta()
			zero := int64(0)
			e.Delete(ctx, "pods", m.Namespace, m.Name, DeleteOptions{GracePeriodSeconds: &zero})
			cluster.WaitFor(ctx, e, "pods", m.Namespace, m.Name, func(o api.Object) bool { return o == nil })
		}
		e.agentsMu.Lock() // virtual nodes' loops change the map meanwhile
		k := e.agents[HostNodeName()].(*kubelet)
		e.agentsMu.Unlock()
		for { // a deleted pod's sandbox is removed in the background
			left, _ := k.rt.ListPods()
			if len(left) == 0 {
				break
			}
			if ctx.Err() != nil {
				t.Errorf("pods left in the runtime: %v", left)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
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

func busyboxPod(name string, restart string, cmd ...string) *api.Pod {
	p := testPod("", name, nil)
	p.Spec.Containers[0].Command = cmd
	p.Spec.RestartPolicy = restart
	one := int64(1)
	p.Spec.TerminationGracePeriodSeconds = &one
	return p
}

func TestHostNodeRunsRealPods(t *testing.T) {
	e := openHost(t)
	ctx := context.Background()
	n, err := e.Get(ctx, "nodes", "", HostNodeName())
	if err != nil {
		t.Fatal(err)
	}
	if c := n.(*api.Node).Status.Capacity["cpu"]; c.Value() < 1 {
		t.Fatalf("host node capacity %v", n.(*api.Node).Status.Capacity)
	}
	if _, err := e.Create(ctx, busyboxPod("web", "Always", "sh", "-c", "echo hello from $(hostname); exec sleep 3600"), CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, e, "", "web", func(p *api.Pod) bool { return p.Status.Phase == "Running" && p.Status.PodIP != "" })
	if !strings.HasPrefix(p.Status.PodIP, "10.252.") || p.Status.ContainerStatuses[0].State.Running == nil {
		t.Fatalf("status %+v", p.Status)
	}
	var out, errb bytes.Buffer
	code, err := e.Exec(ctx, "", "web", ExecOptions{Command: []string{"hostname"}, Stdout: &out, Stderr: &errb})
	if err != nil || code != 0 || strings.TrimSpace(out.String()) != "web" {
		t.Fatalf("exec hostname: %q %q %d %v", out.String(), errb.String(), code, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var logs bytes.Buffer
		if err := e.Logs(ctx, "", "web", LogOptions{}, &logs); err == nil && logs.String() == "hello from web\n" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("logs %q %v", logs.String(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := e.Delete(ctx, "pods", "", "web", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.Get(ctx, "pods", "", "web")
	if got != nil && got.GetObjectMeta().DeletionTimestamp == nil {
		t.Fatal("a running pod is deleted gracefully: deletionTimestamp first")
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cluster.WaitFor(wctx, e, "pods", "", "web", func(o api.Object) bool { return o == nil }); err != nil {
		t.Fatal(err)
	}
}

func TestRestartPolicyNeverCompletes(t *testing.T) {
	e := openHost(t)
	ctx := context.Background()
	e.Create(ctx, busyboxPod("ok", "Never", "true"), CreateOptions{})
	e.Create(ctx, busyboxPod("bad", "Never", "sh", "-c", "exit 3"), CreateOptions{})
	ok := waitPod(t, e, "", "ok", func(p *api.Pod) bool { return p.Status.Phase == "Succeeded" })
	if term := ok.Status.ContainerStatuses[0].State.Terminated; term == nil || term.Reason != "Completed" {
		t.Fatalf("ok: %+v", ok.Status.ContainerStatuses)
	}
	bad := waitPod(t, e, "", "bad", func(p *api.Pod) bool { return p.Status.Phase == "Failed" })
	if term := bad.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 3 || term.Reason != "Error" {
		t.Fatalf("bad: %+v", bad.Status.ContainerStatuses)
	}
}

func TestMissingImageIsErrImagePull(t *testing.T) {
	e := openHost(t)
	ctx := context.Background()
	p := busyboxPod("nope", "Always", "true")
	p.Spec.Containers[0].Image = "example.invalid/none:1"
	e.Create(ctx, p, CreateOptions{})
	got := waitPod(t, e, "", "nope", func(p *api.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "ErrImagePull"
	})
	if got.Status.Phase != "Pending" {
		t.Fatalf("phase %s", got.Status.Phase)
	}
	// The kubelet's two events of a failed pull.
	want := map[string]bool{"Warning Failed Failed to pull image": false, "Warning Failed Error: ErrImagePull": false}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		evs, err := e.List(ctx, "events", ListOptions{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range evs.Items {
			ev := o.(*api.Event)
			for w := range want {
				if ev.InvolvedObject.Name == "nope" && strings.HasPrefix(ev.Type+" "+ev.Reason+" "+ev.Message, w) {
					want[w] = true
				}
			}
		}
		if want["Warning Failed Failed to pull image"] && want["Warning Failed Error: ErrImagePull"] {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("events missing: %v", want)
}

func TestVirtualNodeRunsPodsInItsCgroup(t *testing.T) {
	e := openHost(t)
	ctx := context.Background()
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: "v1", Labels: map[string]string{"disk": "ssd"},
		Annotations: map[string]string{NodeTypeAnnotation: NodeVirtual}}}
	n.Status.Capacity = api.ResourceList{"memory": resource.MustParse("256Mi"), "cpu": resource.MustParse("1")}
	out, err := e.Create(ctx, n, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cidr := out.(*api.Node).Spec.PodCIDR
	p := busyboxPod("on-v1", "Always", "sleep", "3600")
	p.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	e.Create(ctx, p, CreateOptions{})
	got := waitPod(t, e, "", "on-v1", func(p *api.Pod) bool { return p.Status.Phase == "Running" && p.Status.PodIP != "" })
	if got.Spec.NodeName != "v1" || !strings.HasPrefix(got.Status.PodIP, strings.TrimSuffix(cidr, "0/24")) {
		t.Fatalf("pod on %s with IP %s, node CIDR %s", got.Spec.NodeName, got.Status.PodIP, cidr)
	}
	self, _ := cgroup.Self(cgroup.Detect())
	node := self.Child(e.opts.CgroupParent + "/node-v1")
	if dir, ok := node.Dirs["memory"]; ok {
		limit, err := os.ReadFile(filepath.Join(dir, "memory.limit_in_bytes"))
		if err != nil || strings.TrimSpace(string(limit)) != "268435456" {
			t.Fatalf("node memory limit %q %v", limit, err)
		}
	}
	zero := int64(0)
	e.Delete(ctx, "pods", "", "on-v1", DeleteOptions{GracePeriodSeconds: &zero})
	if _, err := e.Delete(ctx, "nodes", "", "v1", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for node.Exists() {
		if time.Now().After(deadline) {
			t.Fatal("the virtual node's cgroup outlived the node")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPullFailure(t *testing.T) {
	errMissing := errors.New("image not found")
	tests := []struct {
		name    string
		first   bool
		reason  string
		message string
		events  []kubeletEvent
	}{
		{name: "first failure is ErrImagePull", first: true, reason: "ErrImagePull",
			message: `Failed to pull image "x:1": image not found (Min pulls no image on its own: load it with image.import, image.pull or minish image load)`,
			events: []kubeletEvent{
				{"Warning", "Failed", `Failed to pull image "x:1": image not found (Min pulls no image on its own: load it with image.import, image.pull or minish image load)`},
				{"Warning", "Failed", "Error: ErrImagePull"}}},
		{name: "then ImagePullBackOff", first: false, reason: "ImagePullBackOff", message: `Back-off pulling image "x:1"`,
			events: []kubeletEvent{{"Normal", "BackOff", `Back-off pulling image "x:1"`}, {"Warning", "Failed", "Error: ImagePullBackOff"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := pullFailure("x:1", errMissing, tc.first)
			if f.waiting.Reason != tc.reason || f.waiting.Message != tc.message {
				t.Errorf("waiting %+v, want %s %q", f.waiting, tc.reason, tc.message)
			}
			if !reflect.DeepEqual(f.events, tc.events) {
				t.Errorf("events %q, want %q", f.events, tc.events)
			}
		})
	}
}

// TestSeccompProfiles: the container's seccompProfile, else the pod's,
// reaches the runtime; a Localhost profile is read from SeccompDir; a
// missing one is a CreateContainerError.
func TestSeccompProfiles(t *testing.T) {
	e := openHost(t)
	ctx := context.Background()
	dir := SeccompDir(e.home)
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o755); err != nil {
		t.Fatal(err)
	}
	profile := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
	if err := os.WriteFile(filepath.Join(dir, "profiles/no-mkdir.json"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "grep ^Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; true"
	local := api.SeccompProfile{Type: "Localhost", LocalhostProfile: "profiles/no-mkdir.json"}
	tests := []struct {
		name     string
		pod, ctr api.SeccompProfile
		want     string
	}{
		{name: "default is the runtime's", want: "Seccomp:\t2\n"},
		{name: "pod unconfined", pod: api.SeccompProfile{Type: "Unconfined"}, want: "Seccomp:\t0\n"},
		{name: "container overrides pod", pod: api.SeccompProfile{Type: "Unconfined"}, ctr: api.SeccompProfile{Type: "RuntimeDefault"}, want: "Seccomp:\t2\n"},
		{name: "localhost", ctr: local, want: "Seccomp:\t2\nmkdir: can't create directory '/tmp/x': Operation not permitted\n"},
		{name: "pod localhost", pod: local, want: "Seccomp:\t2\nmkdir: can't create directory '/tmp/x': Operation not permitted\n"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("sc-%d", i)
			p := busyboxPod(name, "Never", "sh", "-c", script)
			p.Spec.SecurityContext.SeccompProfile = tc.pod
			p.Spec.Containers[0].SecurityContext.SeccompProfile = tc.ctr
			if _, err := e.Create(ctx, p, CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			waitPod(t, e, "", name, func(p *api.Pod) bool { return p.Status.Phase == "Succeeded" })
			var logs bytes.Buffer
			if err := e.Logs(ctx, "", name, LogOptions{}, &logs); err != nil || logs.String() != tc.want {
				t.Errorf("logs %q (%v), want %q", logs.String(), err, tc.want)
			}
		})
	}
	p := busyboxPod("sc-missing", "Never", "true")
	p.Spec.Containers[0].SecurityContext.SeccompProfile = api.SeccompProfile{Type: "Localhost", LocalhostProfile: "none.json"}
	if _, err := e.Create(ctx, p, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got := waitPod(t, e, "", "sc-missing", func(p *api.Pod) bool {
		cs := p.Status.ContainerStatuses
		return len(cs) == 1 && cs[0].State.Waiting != nil && cs[0].State.Waiting.Reason == "CreateContainerError"
	})
	if msg := got.Status.ContainerStatuses[0].State.Waiting.Message; !strings.Contains(msg, "none.json") {
		t.Errorf("message %q does not name the profile", msg)
	}
}
