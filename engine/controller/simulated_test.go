package controller

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
	"k8s.io/apimachinery/pkg/api/resource"
)

func simNode() *api.Node {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: "sim-1"}}
	n.Spec.PodCIDR = "10.244.7.0/24"
	n.Status.Addresses = []api.NodeAddress{{Type: "Hostname", Address: "sim-1"}, {Type: "InternalIP", Address: "10.0.0.7"}}
	return n
}

func TestSimulatedPodStatus(t *testing.T) {
	pod := mkPod("web", unscheduled, inPhase("Pending"), notReady)
	pod.Spec.NodeName = "sim-1"
	pod.Spec.Containers = []api.Container{{Name: "app", Image: "nginx:1.27"}, {Name: "sidecar", Image: "busybox"}}
	pod.Status.Conditions = []api.PodCondition{{Type: "PodScheduled", Status: "True", LastTransitionTime: api.NewTime(t0)}}
	now := t0.Add(3 * time.Second)

	st := SimulatedPodStatus(pod, simNode(), "10.244.7.2", now)

	if st.Phase != "Running" || st.HostIP != "10.0.0.7" || len(st.HostIPs) != 1 || st.PodIP != "10.244.7.2" ||
		len(st.PodIPs) != 1 || st.PodIPs[0].IP != "10.244.7.2" || st.QOSClass != "BestEffort" {
		t.Fatalf("status = %+v", st)
	}
	if st.StartTime == nil || !st.StartTime.Equal(now) {
		t.Fatalf("startTime = %v", st.StartTime)
	}
	var conds []string
	for _, c := range st.Conditions {
		conds = append(conds, c.Type+"="+c.Status)
		if c.Type == "PodScheduled" && !c.LastTransitionTime.Equal(t0) {
			t.Errorf("PodScheduled transition time not kept: %v", c.LastTransitionTime)
		}
		if c.Type == "Ready" && !c.LastTransitionTime.Equal(now) {
			t.Errorf("Ready transition time = %v", c.LastTransitionTime)
		}
	}
	if got := strings.Join(conds, " "); got != "PodReadyToStartContainers=True Initialized=True Ready=True ContainersReady=True PodScheduled=True" {
		t.Fatalf("conditions %s", got)
	}
	if len(st.ContainerStatuses) != 2 {
		t.Fatalf("container statuses %+v", st.ContainerStatuses)
	}
	for i, cs := range st.ContainerStatuses {
		c := pod.Spec.Containers[i]
		if cs.Name != c.Name || cs.Image != c.Image || !cs.Ready || cs.RestartCount != 0 || cs.Started == nil || !*cs.Started ||
			cs.State.Running == nil || !cs.State.Running.StartedAt.Equal(now) || cs.ImageID != "min://simulated/"+c.Image ||
			!strings.HasPrefix(cs.ContainerID, "min://") || len(cs.ContainerID) != len("min://")+64 {
			t.Fatalf("container %d: %+v", i, cs)
		}
	}
	if st.ContainerStatuses[0].ContainerID == st.ContainerStatuses[1].ContainerID {
		t.Fatalf("containers share an id")
	}
	if PodPhase(&pod.Spec, st.ContainerStatuses) != "Running" {
		t.Fatalf("PodPhase disagrees with the simulated status")
	}

	// Again, later: nothing changes.
	pod.Status = st
	again := SimulatedPodStatus(pod, simNode(), "10.244.7.2", now.Add(time.Minute))
	if !reflect.DeepEqual(st, again) {
		t.Fatalf("not idempotent:\n%+v\n%+v", st, again)
	}
}

func TestSimulatedPodStatusWithoutAddresses(t *testing.T) {
	n := simNode()
	n.Status.Addresses = []api.NodeAddress{{Type: "Hostname", Address: "sim-1"}}
	st := SimulatedPodStatus(mkPod("p"), n, "", t0)
	if st.HostIP != "sim-1" || st.PodIP != "" || st.PodIPs != nil {
		t.Fatalf("hostIP %q podIP %q podIPs %v", st.HostIP, st.PodIP, st.PodIPs)
	}
	n.Status.Addresses = nil
	if st := SimulatedPodStatus(mkPod("p"), n, "", t0); st.HostIP != "" || st.HostIPs != nil {
		t.Fatalf("hostIP %q", st.HostIP)
	}
}

func TestQOSClass(t *testing.T) {
	res := func(req, lim string) api.ResourceRequirements {
		parse := func(s string) api.ResourceList {
			if s == "" {
				return nil
			}
			l := api.ResourceList{}
			for _, kv := range strings.Split(s, ",") {
				k, v, _ := strings.Cut(kv, "=")
				l[k] = resource.MustParse(v)
			}
			return l
		}
		return api.ResourceRequirements{Requests: parse(req), Limits: parse(lim)}
	}
	tests := []struct {
		name       string
		containers []api.ResourceRequirements
		want       string
	}{
		{"nothing", []api.ResourceRequirements{{}}, "BestEffort"},
		{"zero requests", []api.ResourceRequirements{res("cpu=0", "")}, "BestEffort"},
		{"other resources only", []api.ResourceRequirements{res("example.com/gpu=1", "")}, "BestEffort"},
		{"request only", []api.ResourceRequirements{res("cpu=100m", "")}, "Burstable"},
		{"limits equal requests", []api.ResourceRequirements{res("cpu=1,memory=1Gi", "cpu=1,memory=1Gi")}, "Guaranteed"},
		{"limits alone (requests default to them)", []api.ResourceRequirements{res("", "cpu=1,memory=1Gi")}, "Guaranteed"},
		{"equal in other units", []api.ResourceRequirements{res("cpu=1000m,memory=1024Mi", "cpu=1,memory=1Gi")}, "Guaranteed"},
		{"request below limit", []api.ResourceRequirements{res("cpu=500m,memory=1Gi", "cpu=1,memory=1Gi")}, "Burstable"},
		{"cpu limit only", []api.ResourceRequirements{res("", "cpu=1")}, "Burstable"},
		{"one container without limits", []api.ResourceRequirements{res("", "cpu=1,memory=1Gi"), {}}, "Burstable"},
		{"two guaranteed containers", []api.ResourceRequirements{res("", "cpu=1,memory=1Gi"), res("cpu=2,memory=2Gi", "cpu=2,memory=2Gi")}, "Guaranteed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &api.PodSpec{}
			for i, r := range tt.containers {
				spec.Containers = append(spec.Containers, api.Container{Name: fmt.Sprint("c", i), Resources: r})
			}
			if got := QOSClass(spec); got != tt.want {
				t.Fatalf("QOSClass = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestIPAM(t *testing.T) {
	a, err := NewIPAM("10.244.7.0/29") // .0 network, .1 gateway, .7 broadcast: .2-.6 free
	if err != nil {
		t.Fatal(err)
	}
	if a.Gateway() != "10.244.7.1" {
		t.Fatalf("gateway %s", a.Gateway())
	}
	var got []string
	for i := range 5 {
		ip, err := a.Allocate(fmt.Sprint("pod", i))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ip)
	}
	if fmt.Sprint(got) != "[10.244.7.2 10.244.7.3 10.244.7.4 10.244.7.5 10.244.7.6]" {
		t.Fatalf("allocated %v", got)
	}
	if ip, _ := a.Allocate("pod3"); ip != "10.244.7.5" {
		t.Fatalf("same key got a new address %s", ip)
	}
	if _, err := a.Allocate("one-too-many"); !errors.Is(err, ErrExhausted) {
		t.Fatalf("full range: %v", err)
	}
	a.Release("pod1")
	a.Release("unknown")
	if ip, err := a.Allocate("late"); err != nil || ip != "10.244.7.3" {
		t.Fatalf("after release: %s %v", ip, err)
	}
	if a.Len() != 5 {
		t.Fatalf("Len = %d", a.Len())
	}
}

func TestIPAMRoundRobin(t *testing.T) {
	a, _ := NewIPAM("10.0.0.0/24")
	ip1, _ := a.Allocate("a")
	a.Release("a")
	ip2, _ := a.Allocate("b")
	if ip1 == ip2 {
		t.Fatalf("released address %s reused at once", ip1)
	}
}

func TestIPAMReserve(t *testing.T) {
	a, _ := NewIPAM("10.0.0.0/24")
	tests := []struct {
		name, key, ip string
		want          error
	}{
		{"free address", "a", "10.0.0.9", nil},
		{"again, same key", "a", "10.0.0.9", nil},
		{"held by another key", "b", "10.0.0.9", api.ErrConflict},
		{"gateway", "b", "10.0.0.1", api.ErrConflict},
		{"broadcast", "b", "10.0.0.255", api.ErrConflict},
		{"outside", "b", "10.0.1.9", api.ErrInvalid},
		{"garbage", "b", "x", api.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := a.Reserve(tt.key, tt.ip); !errors.Is(err, tt.want) {
				t.Fatalf("Reserve = %v, want %v", err, tt.want)
			}
		})
	}
	for range 10 {
		if ip, _ := a.Allocate(fmt.Sprint(time.Now().UnixNano())); ip == "10.0.0.9" {
			t.Fatalf("reserved address handed out")
		}
	}
}

func TestIPAMRanges(t *testing.T) {
	tests := []struct {
		cidr, first string
		wantErr     bool
	}{
		{"10.244.1.0/24", "10.244.1.2", false},
		{"10.244.1.77/24", "10.244.1.2", false}, // host bits masked
		{"10.0.0.0/8", "10.0.0.2", false},       // large: the first 65,536 tracked
		{"fd00:10:244:1::/64", "fd00:10:244:1::2", false},
		{"10.0.0.0/31", "", true},
		{"10.0.0.0", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.cidr, func(t *testing.T) {
			a, err := NewIPAM(tt.cidr)
			if tt.wantErr {
				if !errors.Is(err, api.ErrInvalid) {
					t.Fatalf("NewIPAM = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ip, err := a.Allocate("p"); err != nil || ip != tt.first {
				t.Fatalf("first address %s %v, want %s", ip, err, tt.first)
			}
		})
	}
}

func TestIPAMCarry(t *testing.T) {
	a, _ := NewIPAM("10.0.0.0/16")
	for i := range 300 {
		ip, err := a.Allocate(fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		if i == 253 && ip != "10.0.0.255" || i == 254 && ip != "10.0.1.0" || i == 299 && ip != "10.0.1.45" {
			t.Fatalf("allocation %d = %s", i, ip)
		}
	}
	if err := a.Reserve("x", "10.0.1.45"); !errors.Is(err, api.ErrConflict) {
		t.Fatalf("offset above 255 not seen as used: %v", err)
	}
}

func TestIPAMConcurrent(t *testing.T) {
	a, _ := NewIPAM("10.0.0.0/22")
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]bool{}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				ip, err := a.Allocate(fmt.Sprint(i, "-", j))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[ip] {
					t.Errorf("%s handed out twice", ip)
				}
				seen[ip] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
