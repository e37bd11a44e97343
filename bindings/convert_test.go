package bindings

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

func samplePod() *api.Pod {
	grace := int64(30)
	yes := true
	start := api.NewTime(time.Date(2026, 7, 23, 7, 7, 48, 0, time.UTC))
	return &api.Pod{
		TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", UID: "u-1", ResourceVersion: "7", Generation: 1,
			CreationTimestamp: start, Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"a/b": "c"},
			OwnerReferences: []api.OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "rc", UID: "u-0", Controller: &yes}}},
		Spec: api.PodSpec{
			Containers: []api.Container{{Name: "web", Image: "busybox", Command: []string{"sh", "-c", "sleep 1"},
				Env:   []api.EnvVar{{Name: "A", Value: "1"}, {Name: "EMPTY"}},
				Ports: []api.ContainerPort{{ContainerPort: 8080, Protocol: "TCP"}},
				Resources: api.ResourceRequirements{Requests: api.ResourceList{"cpu": resource.MustParse("100m"),
					"memory": resource.MustParse("64Mi")}}}},
			RestartPolicy: "Always", TerminationGracePeriodSeconds: &grace, NodeSelector: map[string]string{"gpu": "true"},
		},
		Status: api.PodStatus{Phase: "Running", PodIP: "10.0.0.5", StartTime: &start,
			Conditions: []api.PodCondition{{Type: "Ready", Status: "True", LastTransitionTime: start}},
			ContainerStatuses: []api.ContainerStatus{{Name: "web", Ready: true, Image: "busybox", ImageID: "x",
				State: api.ContainerState{Running: &api.ContainerStateRunning{StartedAt: start}}}}},
	}
}

// walkerCases are objects of every kind with the field types the walker
// special-cases.
func walkerCases() []api.Object {
	replicas := int32(3)
	return []api.Object{
		samplePod(),
		&api.Pod{ObjectMeta: api.ObjectMeta{Name: "x"}},
		&api.Node{ObjectMeta: api.ObjectMeta{Name: "n"}, Spec: api.NodeSpec{Unschedulable: true},
			Status: api.NodeStatus{Capacity: api.ResourceList{"pods": resource.MustParse("110")},
				Conditions: []api.NodeCondition{{Type: "Ready", Status: "True"}}}},
		&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "ns"}, Status: api.NamespaceStatus{Phase: "Active"}},
		&api.ReplicationController{ObjectMeta: api.ObjectMeta{Name: "rc"}, Spec: api.ReplicationControllerSpec{
			Replicas: &replicas, Selector: map[string]string{"app": "x"},
			Template: &api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "x"}},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "i"}}}}}},
		&api.Event{ObjectMeta: api.ObjectMeta{Name: "e"}, Reason: "Scheduled", Count: 1,
			EventTime: api.MicroTime{Time: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)}},
	}
}

// TestWalkerMatchesJSON checks that the hand-written Go->Lua walker gives
// exactly what encoding/json gives (the contract: tables in Kubernetes'
// JSON shape), for every kind.
func TestWalkerMatchesJSON(t *testing.T) {
	s, _ := newTestState(t, Options{})
	for _, obj := range walkerCases() {
		t.Run(reflect.TypeOf(obj).Elem().Name(), func(t *testing.T) {
			want, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			tbl := s.conv.structValue(s.L, reflect.ValueOf(obj).Elem())
			got, err := encodeJSON(tbl, jsonOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(t, want), normalize(t, got)) {
				t.Errorf("walker:\n%s\njson:\n%s", got, want)
			}
		})
	}
}

// normalize decodes JSON and drops what Lua cannot tell apart: nulls and
// empty objects/lists.
func normalize(t *testing.T, data []byte) any {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return prune(v)
}

func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if p := prune(e); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = prune(e)
			if out[i] == nil {
				out[i] = map[string]any{}
			}
		}
		return out
	}
	return v
}

// TestRoundTrip: a Lua table made from an object decodes back to the same
// object (through the strict decoder's fast path).
func TestRoundTrip(t *testing.T) {
	s, _ := newTestState(t, Options{})
	p := samplePod()
	data, err := encodeJSON(s.push(s.L, p), jsonOptions{emptyAsNull: true})
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeKind(data, podKind)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(p)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("round trip:\n%s\n%s", a, b)
	}
}
