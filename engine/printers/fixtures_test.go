package printers

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata that tests render (never the hand-written ones)")

// now is the fixed clock of every test.
var now = time.Date(2026, 7, 23, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) api.Time { return api.Time{Time: now.Add(-d)} }
func agoPtr(d time.Duration) *api.Time {
	t := ago(d)
	return &t
}

func ptr[T any](v T) *T { return &v }

func running(d time.Duration) api.ContainerState {
	return api.ContainerState{Running: &api.ContainerStateRunning{StartedAt: ago(d)}}
}
func waiting(reason string) api.ContainerState {
	return api.ContainerState{Waiting: &api.ContainerStateWaiting{Reason: reason}}
}
func terminated(code int32, reason string, finished time.Duration) api.ContainerState {
	return api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: code, Reason: reason,
		StartedAt: ago(finished + time.Second), FinishedAt: ago(finished)}}
}

// pod builds a one-container pod in default created d ago.
func pod(name string, d time.Duration, mutate ...func(*api.Pod)) *api.Pod {
	p := &api.Pod{
		TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name, CreationTimestamp: ago(d)},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "kubia", Image: "luksa/kubia"}}, RestartPolicy: "Always"},
		Status:     api.PodStatus{Phase: "Pending", QOSClass: "BestEffort"},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func scheduled(node, ip string) func(*api.Pod) {
	return func(p *api.Pod) {
		p.Spec.NodeName = node
		p.Status.HostIP = "192.168.1.10"
		if ip != "" {
			p.Status.PodIP = ip
			p.Status.PodIPs = []api.PodIP{{IP: ip}}
		}
	}
}

func status(phase string, cs ...api.ContainerStatus) func(*api.Pod) {
	return func(p *api.Pod) {
		p.Status.Phase = phase
		p.Status.ContainerStatuses = cs
	}
}

func labelled(kv ...string) func(*api.Pod) {
	return func(p *api.Pod) {
		p.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func cstatus(name string, ready bool, restarts int32, state, last api.ContainerState) api.ContainerStatus {
	return api.ContainerStatus{Name: name, Ready: ready, RestartCount: restarts, State: state, LastState: last,
		Image: "docker.io/luksa/kubia:latest", ImageID: "sha256:abc", ContainerID: "min://" + name}
}

func readyCondition(status string) func(*api.Pod) {
	return func(p *api.Pod) {
		p.Status.Conditions = append(p.Status.Conditions, api.PodCondition{Type: "Ready", Status: status})
	}
}

// kubiaPods are the three pods of §7.1's `kubectl get pods`.
func kubiaPods() []api.Object {
	manual := pod("kubia-manual", 5*time.Minute+10*time.Second, scheduled("node1", "10.244.0.5"),
		status("Running", cstatus("kubia", true, 0, running(5*time.Minute), api.ContainerState{})))
	gpu := pod("kubia-gpu", 7*time.Second)
	crash := pod("crash", 2*time.Minute+3*time.Second, scheduled("node1", "10.244.0.7"),
		status("Running", cstatus("kubia", false, 4, waiting("CrashLoopBackOff"), terminated(1, "Error", 33*time.Second))))
	return []api.Object{manual, gpu, crash}
}

func node(name string, d time.Duration, mutate ...func(*api.Node)) *api.Node {
	n := &api.Node{
		TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: api.ObjectMeta{Name: name, UID: "uid-" + name, CreationTimestamp: ago(d)},
		Status: api.NodeStatus{
			Conditions: []api.NodeCondition{{Type: "Ready", Status: "True", Reason: "KubeletReady", Message: "kubelet is posting ready status",
				LastHeartbeatTime: ago(10 * time.Second), LastTransitionTime: ago(d)}},
			Addresses: []api.NodeAddress{{Type: "InternalIP", Address: "192.168.1.10"}, {Type: "Hostname", Address: name}},
			NodeInfo: api.NodeSystemInfo{KubeletVersion: "v1.36.3", OSImage: "Debian GNU/Linux 13 (trixie)",
				KernelVersion: "6.12.0-1-amd64", ContainerRuntimeVersion: "min://0.1.0", OperatingSystem: "linux", Architecture: "amd64",
				MachineID: "m-" + name, SystemUUID: "s-" + name, BootID: "b-" + name},
			Capacity:    api.ResourceList{"cpu": resource.MustParse("4"), "memory": resource.MustParse("8Gi"), "pods": resource.MustParse("110")},
			Allocatable: api.ResourceList{"cpu": resource.MustParse("4"), "memory": resource.MustParse("8Gi"), "pods": resource.MustParse("110")},
		},
	}
	for _, m := range mutate {
		m(n)
	}
	return n
}

func namespace(name, phase string, d time.Duration) *api.Namespace {
	return &api.Namespace{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: api.ObjectMeta{Name: name, UID: "uid-" + name, CreationTimestamp: ago(d)},
		Status:     api.NamespaceStatus{Phase: phase}}
}

func rc(name string, replicas, current, ready int32, d time.Duration) *api.ReplicationController {
	return &api.ReplicationController{
		TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "ReplicationController"},
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name, CreationTimestamp: ago(d), Labels: map[string]string{"app": name}},
		Spec: api.ReplicationControllerSpec{Replicas: &replicas, Selector: map[string]string{"app": name},
			Template: &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: api.PodSpec{Containers: []api.Container{{Name: name, Image: "luksa/kubia",
					Ports: []api.ContainerPort{{ContainerPort: 8080, Protocol: "TCP"}}}}}}},
		Status: api.ReplicationControllerStatus{Replicas: current, ReadyReplicas: ready},
	}
}

func event(name, typ, reason, kind, obj, msg string, first, last time.Duration, count int32) *api.Event {
	return &api.Event{
		TypeMeta:       api.TypeMeta{APIVersion: "v1", Kind: "Event"},
		ObjectMeta:     api.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: ago(first)},
		InvolvedObject: api.ObjectReference{Kind: kind, Namespace: "default", Name: obj, UID: "uid-" + obj, APIVersion: "v1"},
		Reason:         reason, Message: msg, Type: typ, Count: count,
		Source:         api.EventSource{Component: "kubelet", Host: "node1"},
		FirstTimestamp: ago(first), LastTimestamp: ago(last),
	}
}

// dollar marks every line end, so trailing spaces show in golden files.
func dollar(s string) string { return strings.ReplaceAll(s, "\n", "$\n") }

// golden compares got (with $ line ends) with testdata/name; with
// -update it writes the file instead.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got = dollar(got)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// render prints objs of kind as a table with opts.
func render(t *testing.T, kind string, objs []api.Object, opts Options) string {
	t.Helper()
	tbl, err := TableFor(kind, objs, now)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := PrintTable(&b, tbl, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
