package api

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestImagePullPolicyDefault(t *testing.T) {
	cases := []struct{ image, want string }{
		{"busybox", PullAlways},
		{"busybox:latest", PullAlways},
		{"luksa/kubia", PullAlways},
		{"busybox:1.36", PullIfNotPresent},
		{"localhost:5000/app", PullAlways},
		{"localhost:5000/app:v2", PullIfNotPresent},
		{"busybox@sha256:0123", PullIfNotPresent},
		{"busybox:latest@sha256:0123", PullAlways},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			p := &Pod{Spec: PodSpec{Containers: []Container{{Name: "a", Image: tc.image}}}}
			SetDefaults(p)
			if got := p.Spec.Containers[0].ImagePullPolicy; got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPodDefaults(t *testing.T) {
	p := &Pod{Spec: PodSpec{Containers: []Container{{
		Name: "a", Image: "busybox:1", ImagePullPolicy: PullNever,
		Ports: []ContainerPort{{ContainerPort: 80}, {ContainerPort: 53, Protocol: ProtocolUDP}},
		Resources: ResourceRequirements{
			Limits:   ResourceList{"cpu": resource.MustParse("0.1m"), "memory": resource.MustParse("128Mi")},
			Requests: ResourceList{"memory": resource.MustParse("64Mi")},
		},
	}}}}
	SetDefaults(p)
	s := p.Spec
	c := s.Containers[0]
	checks := []struct{ name, got, want string }{
		{"restartPolicy", s.RestartPolicy, RestartPolicyAlways},
		{"dnsPolicy", s.DNSPolicy, DNSClusterFirst},
		{"imagePullPolicy kept", c.ImagePullPolicy, PullNever},
		{"port protocol", c.Ports[0].Protocol, ProtocolTCP},
		{"port protocol kept", c.Ports[1].Protocol, ProtocolUDP},
		{"cpu limit rounded", qs(c.Resources.Limits["cpu"]), "1m"},
		{"cpu request from limit", qs(c.Resources.Requests["cpu"]), "1m"},
		{"memory request kept", qs(c.Resources.Requests["memory"]), "64Mi"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if g := s.TerminationGracePeriodSeconds; g == nil || *g != 30 {
		t.Errorf("terminationGracePeriodSeconds = %v, want 30", g)
	}
	// Idempotent.
	before := p.DeepCopy()
	SetDefaults(p)
	if !podEqualJSON(t, before, p) {
		t.Errorf("SetDefaults is not idempotent")
	}
}

func qs(q resource.Quantity) string { return q.String() }

func TestRCDefaults(t *testing.T) {
	cases := []struct {
		name         string
		rc           ReplicationController
		wantSelector map[string]string
		wantLabels   map[string]string
		wantReplicas int32
	}{
		{
			name: "from template",
			rc: ReplicationController{Spec: ReplicationControllerSpec{Template: &PodTemplateSpec{
				ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "kubia"}}}}},
			wantSelector: map[string]string{"app": "kubia"},
			wantLabels:   map[string]string{"app": "kubia"},
			wantReplicas: 1,
		},
		{
			name: "explicit kept",
			rc: ReplicationController{ObjectMeta: ObjectMeta{Labels: map[string]string{"x": "y"}},
				Spec: ReplicationControllerSpec{Replicas: ptr(int32(0)), Selector: map[string]string{"app": "a"},
					Template: &PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "a", "v": "1"}}}}},
			wantSelector: map[string]string{"app": "a"},
			wantLabels:   map[string]string{"x": "y"},
			wantReplicas: 0,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			SetDefaults(&tc.rc)
			if FormatLabels(tc.rc.Spec.Selector) != FormatLabels(tc.wantSelector) {
				t.Errorf("selector %v, want %v", tc.rc.Spec.Selector, tc.wantSelector)
			}
			if FormatLabels(tc.rc.Labels) != FormatLabels(tc.wantLabels) {
				t.Errorf("labels %v, want %v", tc.rc.Labels, tc.wantLabels)
			}
			if *tc.rc.Spec.Replicas != tc.wantReplicas {
				t.Errorf("replicas %d, want %d", *tc.rc.Spec.Replicas, tc.wantReplicas)
			}
			if tc.rc.Spec.Template.Spec.RestartPolicy != RestartPolicyAlways {
				t.Errorf("template restartPolicy not defaulted")
			}
			tc.rc.Spec.Selector["changed"] = "1"
			if _, shared := tc.rc.Spec.Template.Labels["changed"]; shared {
				t.Errorf("selector shares memory with template labels")
			}
		})
	}
}

func TestRCTemplateDoesNotCopyLimits(t *testing.T) {
	rc := &ReplicationController{Spec: ReplicationControllerSpec{Template: &PodTemplateSpec{Spec: PodSpec{
		Containers: []Container{{Name: "a", Image: "x", Resources: ResourceRequirements{Limits: ResourceList{"cpu": resource.MustParse("1")}}}}}}}}
	SetDefaults(rc)
	if rc.Spec.Template.Spec.Containers[0].Resources.Requests != nil {
		t.Fatalf("requests defaulted in a template; Kubernetes does that on pods only")
	}
}

func TestNamespaceAndNodeDefaults(t *testing.T) {
	ns := &Namespace{}
	SetDefaults(ns)
	if ns.Status.Phase != NamespaceActive || len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != "kubernetes" {
		t.Fatalf("namespace defaults: %+v", ns)
	}
	n := &Node{Status: NodeStatus{Capacity: ResourceList{"pods": resource.MustParse("110")}}}
	SetDefaults(n)
	if q := n.Status.Allocatable["pods"]; q.Value() != 110 {
		t.Fatalf("allocatable not defaulted from capacity: %v", n.Status.Allocatable)
	}
}

func ptr[T any](v T) *T { return &v }

func podEqualJSON(t *testing.T, a, b *Pod) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
