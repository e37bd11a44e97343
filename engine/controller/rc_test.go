package controller

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func mkRC(replicas int32) *api.ReplicationController {
	rc := &api.ReplicationController{ObjectMeta: api.ObjectMeta{Name: "kubia", Namespace: "default", UID: "rc-uid", Generation: 3}}
	rc.Spec.Replicas = &replicas
	rc.Spec.Selector = map[string]string{"app": "kubia"}
	rc.Spec.Template = &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "kubia", "tier": "web"}}}
	rc.Spec.Template.Spec.Containers = []api.Container{{Name: "kubia", Image: "luksa/kubia"}}
	return rc
}

type podOpt func(*api.Pod)

// mkPod returns a Running, ready pod of rc "kubia", created at t0.
func mkPod(name string, opts ...podOpt) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{
		Name: name, Namespace: "default", UID: "uid-" + name,
		Labels:            map[string]string{"app": "kubia", "tier": "web"},
		CreationTimestamp: api.NewTime(t0),
	}}
	yes := true
	p.OwnerReferences = []api.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "kubia", UID: "rc-uid", Controller: &yes}}
	p.Spec.NodeName = "n1"
	p.Status.Phase = "Running"
	p.Status.Conditions = []api.PodCondition{{Type: "Ready", Status: "True", LastTransitionTime: api.NewTime(t0)}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func orphan(p *api.Pod) { p.OwnerReferences = nil }

func ownedBy(uid string) podOpt {
	return func(p *api.Pod) {
		yes := true
		p.OwnerReferences = []api.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "other", UID: uid, Controller: &yes}}
	}
}

func labelled(kv ...string) podOpt {
	return func(p *api.Pod) {
		p.Labels = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Labels[kv[i]] = kv[i+1]
		}
	}
}

func inPhase(ph string) podOpt { return func(p *api.Pod) { p.Status.Phase = ph } }

func notReady(p *api.Pod) { p.Status.Conditions = nil }

func unscheduled(p *api.Pod) { p.Spec.NodeName = "" }

func deleting(p *api.Pod) { ts := api.NewTime(t0); p.DeletionTimestamp = &ts }

func created(d time.Duration) podOpt {
	return func(p *api.Pod) { p.CreationTimestamp = api.NewTime(t0.Add(d)) }
}

func readyAt(d time.Duration) podOpt {
	return func(p *api.Pod) {
		p.Status.Conditions = []api.PodCondition{{Type: "Ready", Status: "True", LastTransitionTime: api.NewTime(t0.Add(d))}}
	}
}

func restarts(n int32) podOpt {
	return func(p *api.Pod) { p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "kubia", RestartCount: n}} }
}

func inNamespace(ns string) podOpt { return func(p *api.Pod) { p.Namespace = ns } }

func names(pods []*api.Pod) []string {
	out := []string{}
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestReconcileRC(t *testing.T) {
	tests := []struct {
		name        string
		rc          *api.ReplicationController
		pods        []*api.Pod
		wantCreate  int
		wantDelete  []string
		wantAdopt   []string
		wantRelease []string
	}{
		{name: "new RC creates all", rc: mkRC(3), wantCreate: 3},
		{name: "steady", rc: mkRC(2), pods: []*api.Pod{mkPod("a"), mkPod("b")}},
		{name: "replicas default to 1", rc: func() *api.ReplicationController { r := mkRC(0); r.Spec.Replicas = nil; return r }(), wantCreate: 1},
		{name: "deleted pod is replaced", rc: mkRC(3), pods: []*api.Pod{mkPod("a"), mkPod("b")}, wantCreate: 1},
		{name: "terminal pods are replaced", rc: mkRC(3), pods: []*api.Pod{mkPod("a"), mkPod("b", inPhase("Failed")), mkPod("c", inPhase("Succeeded"))}, wantCreate: 2},
		{name: "terminating pod is replaced", rc: mkRC(2), pods: []*api.Pod{mkPod("a"), mkPod("b", deleting)}, wantCreate: 1},
		{
			name: "relabelled pod is released and replaced", rc: mkRC(2),
			pods:       []*api.Pod{mkPod("a"), mkPod("b", labelled("app", "foo"))},
			wantCreate: 1, wantRelease: []string{"b"},
		},
		{
			name: "matching orphan is adopted and the surplus deleted", rc: mkRC(2),
			pods:       []*api.Pod{mkPod("a", created(time.Minute)), mkPod("b", created(time.Minute)), mkPod("manual", orphan, created(59*time.Minute))}, // newer by a power of two (LogarithmicScaleDown)
			wantDelete: []string{"manual"}, wantAdopt: []string{"manual"},
		},
		{name: "orphan that does not match is left alone", rc: mkRC(1), pods: []*api.Pod{mkPod("a"), mkPod("x", orphan, labelled("app", "other"))}},
		{name: "terminating orphan is not adopted", rc: mkRC(1), pods: []*api.Pod{mkPod("a"), mkPod("x", orphan, deleting)}},
		{
			name: "pods of another controller are never touched", rc: mkRC(1),
			pods:       []*api.Pod{mkPod("theirs", ownedBy("other-uid")), mkPod("theirs2", ownedBy("other-uid"), labelled("x", "y"))},
			wantCreate: 1,
		},
		{name: "other namespaces are ignored", rc: mkRC(1), pods: []*api.Pod{mkPod("a", inNamespace("prod"))}, wantCreate: 1},
		{
			name: "scale down deletes in order", rc: mkRC(1),
			pods: []*api.Pod{
				mkPod("running-old", created(0)),
				mkPod("pending", inPhase("Pending"), notReady),
				mkPod("running-new", created(time.Minute)),
			},
			wantDelete: []string{"pending", "running-new"},
		},
		{name: "scale to zero", rc: mkRC(0), pods: []*api.Pod{mkPod("a"), mkPod("b")}, wantDelete: []string{"a", "b"}},
		{
			name: "RC being deleted does nothing", rc: func() *api.ReplicationController {
				r := mkRC(5)
				ts := api.NewTime(t0)
				r.DeletionTimestamp = &ts
				return r
			}(),
			pods: []*api.Pod{mkPod("a"), mkPod("b", labelled("app", "x")), mkPod("c", orphan)},
		},
		{
			name: "empty selector selects nothing", rc: func() *api.ReplicationController { r := mkRC(1); r.Spec.Selector = nil; return r }(),
			pods:       []*api.Pod{mkPod("o", orphan)},
			wantCreate: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := ReconcileRCAt(tt.rc, tt.pods, t0.Add(time.Hour))
			if plan.Create != tt.wantCreate {
				t.Errorf("Create = %d, want %d", plan.Create, tt.wantCreate)
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{
				{"Delete", names(plan.Delete), tt.wantDelete},
				{"Adopt", names(plan.Adopt), tt.wantAdopt},
				{"Release", names(plan.Release), tt.wantRelease},
			} {
				if fmt.Sprint(c.got) != fmt.Sprint(append([]string{}, c.want...)) {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestReconcileRCDoesNotModifyInput(t *testing.T) {
	pods := []*api.Pod{mkPod("c", created(2*time.Minute)), mkPod("a"), mkPod("b", created(time.Minute))}
	before := names(pods)
	ReconcileRCAt(mkRC(1), pods, t0)
	if !slices.Equal(before, names(pods)) {
		t.Fatalf("input reordered: %v", names(pods))
	}
}

// cost sets the pod-deletion-cost annotation; onNode binds to node.
func cost(v string) func(*api.Pod) {
	return func(p *api.Pod) { p.Annotations = map[string]string{DeletionCostAnnotation: v} }
}

func onNode(node string) func(*api.Pod) { return func(p *api.Pod) { p.Spec.NodeName = node } }

func TestSortForDeletion(t *testing.T) {
	tests := []struct {
		name string
		pods []*api.Pod
		want string
	}{
		{"unscheduled first", []*api.Pod{mkPod("sched"), mkPod("unsched", unscheduled)}, "[unsched sched]"},
		{"Pending < Unknown < Running", []*api.Pod{mkPod("run"), mkPod("unknown", inPhase("Unknown")), mkPod("pending", inPhase("Pending"))}, "[pending unknown run]"},
		{"not ready first", []*api.Pod{mkPod("ready"), mkPod("notready", notReady)}, "[notready ready]"},
		{"ready for less time first", []*api.Pod{mkPod("long", readyAt(0)), mkPod("short", readyAt(time.Minute))}, "[short long]"},
		{"zero ready time counts as shortest", []*api.Pod{mkPod("long", readyAt(time.Minute)), mkPod("zero", func(p *api.Pod) { p.Status.Conditions[0].LastTransitionTime = api.Time{} })}, "[zero long]"},
		{"more restarts first", []*api.Pod{mkPod("calm", restarts(1)), mkPod("crashy", restarts(5))}, "[crashy calm]"},
		{"newer first", []*api.Pod{mkPod("old", created(0)), mkPod("new", created(time.Hour))}, "[new old]"},
		{"zero creation time counts as newest", []*api.Pod{mkPod("new", created(time.Hour)), mkPod("zero", func(p *api.Pod) { p.CreationTimestamp = api.Time{} })}, "[zero new]"},
		{"unscheduled beats everything", []*api.Pod{mkPod("pending", inPhase("Pending"), notReady, created(time.Hour)), mkPod("unsched", unscheduled, restarts(0))}, "[unsched pending]"},
		{"phase beats readiness", []*api.Pod{mkPod("running-notready", notReady), mkPod("pending-ready", inPhase("Pending"))}, "[pending-ready running-notready]"},
		{"readiness beats restarts", []*api.Pod{mkPod("ready-crashy", restarts(9)), mkPod("notready", notReady)}, "[notready ready-crashy]"},
		{"equal pods keep their order", []*api.Pod{mkPod("x"), mkPod("y"), mkPod("z")}, "[x y z]"},
		{"lower deletion cost first", []*api.Pod{mkPod("dear", cost("10")), mkPod("plain"), mkPod("cheap", cost("-5"))}, "[cheap plain dear]"},
		{"a cost that is no int32 counts as 0", []*api.Pod{mkPod("bad", cost("lots"), created(0)), mkPod("new", created(time.Hour))}, "[new bad]"},
		{"readiness beats cost", []*api.Pod{mkPod("cheap", cost("-9")), mkPod("notready", notReady)}, "[notready cheap]"},
		{"doubled up first", []*api.Pod{mkPod("alone", onNode("n2"), created(time.Hour)), mkPod("a", onNode("n1")), mkPod("b", onNode("n1"))}, "[a b alone]"},
		{"cost beats doubling up", []*api.Pod{mkPod("a", onNode("n1")), mkPod("b", onNode("n1")), mkPod("alone", onNode("n2"), cost("-1"))}, "[alone a b]"},
		{"doubling up beats age", []*api.Pod{mkPod("old", onNode("n1"), created(0)), mkPod("old2", onNode("n1"), created(0)), mkPod("new", onNode("n2"), created(time.Hour))}, "[old old2 new]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SortForDeletion(tt.pods, time.Time{}) // times compare exactly
			if got := fmt.Sprint(names(tt.pods)); got != tt.want {
				t.Fatalf("order %s, want %s", got, tt.want)
			}
		})
	}
}

// With a now, ages compare by their power of two (LogarithmicScaleDown):
// pods of one rank go by UID, of different ranks the newer first.
func TestSortForDeletionLogarithmic(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	tests := []struct {
		name string
		pods []*api.Pod
		want string
	}{
		// 10 s and 12 s old: both 2^33 ns; "a" has the smaller UID.
		{"same rank by UID", []*api.Pod{mkPod("b", created(2*time.Hour-10*time.Second)), mkPod("a", created(2*time.Hour-12*time.Second))}, "[a b]"},
		{"newer rank first", []*api.Pod{mkPod("old", created(0)), mkPod("new", created(2*time.Hour-10*time.Second))}, "[new old]"},
		{"ready times too", []*api.Pod{mkPod("b", readyAt(2*time.Hour-10*time.Second)), mkPod("a", readyAt(2*time.Hour-12*time.Second))}, "[a b]"},
		{"a future time ranks newest", []*api.Pod{mkPod("a", created(0)), mkPod("z", created(3*time.Hour))}, "[z a]"},
		{"equal times fall through to the next rule", []*api.Pod{mkPod("b", readyAt(time.Hour), created(time.Hour)), mkPod("a", readyAt(time.Hour), created(0))}, "[b a]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SortForDeletion(tt.pods, now)
			if got := fmt.Sprint(names(tt.pods)); got != tt.want {
				t.Fatalf("order %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRCStatus(t *testing.T) {
	rc := mkRC(5)
	rc.Spec.MinReadySeconds = 30
	now := t0.Add(time.Minute)
	pods := []*api.Pod{
		mkPod("available", readyAt(0)),                             // ready for 60s
		mkPod("fresh", readyAt(50*time.Second)),                    // ready for 10s
		mkPod("notready", notReady),                                // counted, not ready
		mkPod("partial", labelled("app", "kubia")),                 // lacks tier=web
		mkPod("gone", inPhase("Failed")),                           // not active
		mkPod("foreign", ownedBy("x")),                             // not ours
		mkPod("adoptee", orphan, readyAt(0), created(time.Second)), // adopted, counted
	}
	plan := ReconcileRCAt(rc, pods, now)
	want := api.ReplicationControllerStatus{Replicas: 5, FullyLabeledReplicas: 4, ReadyReplicas: 4, AvailableReplicas: 3, ObservedGeneration: 3}
	if plan.Status != want {
		t.Fatalf("status = %+v, want %+v", plan.Status, want)
	}
	// "fresh" became ready at t0+50s and is available strictly after t0+80s.
	if plan.RequeueAfter != 21*time.Second {
		t.Fatalf("RequeueAfter = %v, want 21s", plan.RequeueAfter)
	}
	rc.Spec.MinReadySeconds = 0
	if plan := ReconcileRCAt(rc, pods, now); plan.Status.AvailableReplicas != 4 || plan.RequeueAfter != 0 {
		t.Fatalf("minReadySeconds 0: available %d requeue %v", plan.Status.AvailableReplicas, plan.RequeueAfter)
	}
}

func TestNewPodFromTemplate(t *testing.T) {
	rc := mkRC(1)
	rc.Spec.Template.Annotations = map[string]string{"note": "x"}
	p := NewPodFromTemplate(rc)
	if p.GenerateName != "kubia-" || p.Name != "" || p.Namespace != "default" || p.Kind != "Pod" || p.APIVersion != "v1" {
		t.Fatalf("meta = %+v %+v", p.TypeMeta, p.ObjectMeta)
	}
	if p.Labels["app"] != "kubia" || p.Labels["tier"] != "web" || p.Annotations["note"] != "x" {
		t.Fatalf("labels %v annotations %v", p.Labels, p.Annotations)
	}
	if len(p.OwnerReferences) != 1 {
		t.Fatalf("ownerReferences = %+v", p.OwnerReferences)
	}
	ref := p.OwnerReferences[0]
	if ref.APIVersion != "v1" || ref.Kind != "ReplicationController" || ref.Name != "kubia" || ref.UID != "rc-uid" ||
		ref.Controller == nil || !*ref.Controller || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
		t.Fatalf("ownerReference = %+v", ref)
	}
	if len(p.Spec.Containers) != 1 || p.Spec.Containers[0].Image != "luksa/kubia" {
		t.Fatalf("spec = %+v", p.Spec)
	}
	p.Labels["app"] = "changed"
	p.Spec.Containers[0].Image = "changed"
	if rc.Spec.Template.Labels["app"] != "kubia" || rc.Spec.Template.Spec.Containers[0].Image != "luksa/kubia" {
		t.Fatalf("the pod shares memory with the template")
	}
	if NewPodFromTemplate(&api.ReplicationController{}) != nil {
		t.Fatalf("a pod from no template")
	}
}

func TestGenerateName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"kubia", "kubia-"},
		{"Kubia", "Kubia"}, // "Kubia-" is no valid prefix: the bare name, as getPodsPrefix
	}
	for _, tt := range tests {
		if got := generateName(tt.name); got != tt.want {
			t.Errorf("generateName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestControllerRefs(t *testing.T) {
	rc := mkRC(1)
	p := mkPod("p", orphan)
	p.OwnerReferences = []api.OwnerReference{{APIVersion: "v1", Kind: "Thing", Name: "t", UID: "t-uid"}} // not a controller
	if !SetControllerRef(p, rc) || len(p.OwnerReferences) != 2 || controllerOf(p).UID != "rc-uid" {
		t.Fatalf("adopt: %+v", p.OwnerReferences)
	}
	if SetControllerRef(p, mkRC(1)) {
		t.Fatalf("adopted a pod that already has a controller")
	}
	if !RemoveControllerRef(p, rc) || len(p.OwnerReferences) != 1 || p.OwnerReferences[0].UID != "t-uid" {
		t.Fatalf("release: %+v", p.OwnerReferences)
	}
	if RemoveControllerRef(p, rc) {
		t.Fatalf("released twice")
	}
	q := mkPod("q")
	RemoveControllerRef(q, rc)
	if q.OwnerReferences != nil {
		t.Fatalf("empty ownerReferences should be nil: %#v", q.OwnerReferences)
	}
}
