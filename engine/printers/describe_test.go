package printers

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

func describe(t *testing.T, obj api.Object, rel Related) string {
	t.Helper()
	var b bytes.Buffer
	if err := DescribeWith(&b, obj, rel, now); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func kubiaPodFull() *api.Pod {
	p := kubiaPods()[0].(*api.Pod)
	p.Labels = map[string]string{"app": "kubia", "env": "prod"}
	p.Annotations = map[string]string{"mycompany.com/someannotation": "foo bar",
		"kubectl.kubernetes.io/last-applied-configuration": "{}",
		"long": strings.Repeat("x", 150)}
	p.Status.StartTime = agoPtr(5 * time.Minute)
	p.Status.Conditions = []api.PodCondition{{Type: "Initialized", Status: "True"}, {Type: "Ready", Status: "True"},
		{Type: "ContainersReady", Status: "True"}, {Type: "PodScheduled", Status: "True"}}
	c := &p.Spec.Containers[0]
	c.Ports = []api.ContainerPort{{ContainerPort: 8080, Protocol: "TCP"}}
	c.Command = []string{"node", "app.js"}
	c.Env = []api.EnvVar{{Name: "GREETING", Value: "hello\nworld"}}
	c.Resources = api.ResourceRequirements{
		Limits:   api.ResourceList{"cpu": resource.MustParse("500m"), "memory": resource.MustParse("128Mi")},
		Requests: api.ResourceList{"cpu": resource.MustParse("200m"), "memory": resource.MustParse("64Mi")},
	}
	p.Spec.NodeSelector = map[string]string{"gpu": "true"}
	p.Spec.Tolerations = []api.Toleration{
		{Key: "node.kubernetes.io/unreachable", Operator: "Exists", Effect: "NoExecute", TolerationSeconds: ptr(int64(300))},
		{Key: "node.kubernetes.io/not-ready", Operator: "Exists", Effect: "NoExecute", TolerationSeconds: ptr(int64(300))},
	}
	p.Status.QOSClass = "Burstable"
	p.OwnerReferences = []api.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "kubia", UID: "uid-kubia", Controller: ptr(true)}}
	return p
}

func TestDescribe(t *testing.T) {
	full := kubiaPodFull()
	crash := kubiaPods()[2].(*api.Pod)
	crash.Status.StartTime = agoPtr(2 * time.Minute)
	pending := kubiaPods()[1].(*api.Pod)
	terminating := kubiaPods()[0].(*api.Pod)
	terminating.DeletionTimestamp = agoPtr(-25 * time.Second)
	terminating.DeletionGracePeriodSeconds = ptr(int64(30))
	evs := []*api.Event{
		event("kubia-manual.2", "Normal", "Pulled", "Pod", "kubia-manual", "Container image \"luksa/kubia\" already present on machine", 4*time.Minute, 4*time.Minute, 1),
		event("kubia-manual.1", "Normal", "Scheduled", "Pod", "kubia-manual", "Successfully assigned default/kubia-manual to node1", 5*time.Minute, 5*time.Minute, 1),
		event("kubia-manual.3", "Warning", "BackOff", "Pod", "kubia-manual", "Back-off restarting failed container", 3*time.Minute, 10*time.Second, 6),
		event("other.1", "Normal", "Pulled", "Pod", "other", "not about kubia-manual", time.Minute, time.Minute, 1),
	}
	evs[1].Source = api.EventSource{Component: "default-scheduler"}
	evs[0].UID = ""
	n1 := node("node1", 72*time.Hour, func(n *api.Node) {
		n.Labels = map[string]string{"kubernetes.io/hostname": "node1", "node-role.kubernetes.io/control-plane": ""}
		n.Spec.PodCIDR, n.Spec.PodCIDRs = "10.244.0.0/24", []string{"10.244.0.0/24"}
		n.Spec.Taints = []api.Taint{{Key: "gpu", Value: "true", Effect: "NoSchedule"}, {Key: "dedicated", Effect: "NoSchedule"}}
		n.Status.Capacity["hugepages-2Mi"] = resource.MustParse("0")
		n.Status.Allocatable["hugepages-2Mi"] = resource.MustParse("0")
		n.Status.Allocatable["example.com/dongle"] = resource.MustParse("2")
	})
	nodeEvent := event("node1.1", "Normal", "NodeReady", "Node", "node1", "Node node1 status is now: NodeReady", time.Hour, time.Hour, 1)
	nodeEvent.InvolvedObject.Namespace, nodeEvent.InvolvedObject.UID = "", "node1"
	done := pod("done", time.Hour, scheduled("node1", "10.244.0.9"), status("Succeeded"))
	sys := otherNamespacePods()[3].(*api.Pod)
	sys.Spec.Containers[0].Resources.Requests = api.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("70Mi")}
	sys.Spec.Containers[0].Resources.Limits = api.ResourceList{"memory": resource.MustParse("170Mi")}
	kubiaRC := rc("kubia", 3, 3, 2, 10*time.Minute)
	owned := func(name, phase string) *api.Pod {
		return pod(name, time.Minute, labelled("app", "kubia"), status(phase), func(p *api.Pod) {
			p.OwnerReferences = []api.OwnerReference{{Kind: "ReplicationController", Name: "kubia", UID: "uid-kubia", Controller: ptr(true)}}
		})
	}
	rcPods := []*api.Pod{owned("kubia-a", "Running"), owned("kubia-b", "Running"), owned("kubia-c", "Pending"),
		pod("stray", time.Minute, labelled("app", "kubia"), status("Running"))}
	rcEvent := event("kubia.1", "Normal", "SuccessfulCreate", "ReplicationController", "kubia", "Created pod: kubia-a", 10*time.Minute, 10*time.Minute, 1)
	rcEvent.Source = api.EventSource{Component: "replication-controller"}
	ns := namespace("custom-namespace", "Active", time.Hour)
	ns.Labels = map[string]string{"kubernetes.io/metadata.name": "custom-namespace"}

	cases := []struct {
		name, file string
		obj        api.Object
		rel        Related
	}{
		{"running pod with events", "describe-pod.txt", full, Related{Events: evs}},
		{"pod in back-off, no events", "describe-pod-crash.txt", crash, Related{}},
		{"pending pod", "describe-pod-pending.txt", pending, Related{}},
		{"terminating pod", "describe-pod-terminating.txt", terminating, Related{}},
		{"node", "describe-node.txt", n1, Related{Events: []*api.Event{nodeEvent}, Pods: []*api.Pod{full, sys, done, pending}}},
		{"namespace", "describe-ns.txt", ns, Related{}},
		{"rc", "describe-rc.txt", kubiaRC, Related{Events: []*api.Event{rcEvent}, Pods: rcPods}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.file, describe(t, c.obj, c.rel))
		})
	}
}

// TestDescribeByHand pins lines of kubectl's layout independently of the
// golden files.
func TestDescribeByHand(t *testing.T) {
	p := kubiaPods()[1].(*api.Pod)
	got := describe(t, p, Related{})
	for _, want := range []string{
		"Name:         kubia-gpu\n",
		"Node:         <none>\n",
		"Labels:       <none>\n",
		"IP:           \nIPs:          <none>\n",
		"Containers:\n  kubia:\n    Image:        luksa/kubia\n",
		// the container's tabbed lines and the ones after them form one
		// tabwriter block: "    Environment:" sets its width
		"    Environment:  <none>\n    Mounts:       <none>\nVolumes:          <none>\nQoS Class:        BestEffort\n",
		"Tolerations:      <none>\nEvents:           <none>\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("describe lacks %q:\n%s", want, got)
		}
	}
	var b bytes.Buffer
	if err := Describe(&b, &api.Event{}, nil, now); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("describe an event: %v, want ErrUnknownKind", err)
	}
}
