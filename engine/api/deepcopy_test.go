package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gopkg.in/inf.v0"
	"k8s.io/apimachinery/pkg/api/resource"
)

var (
	quantityType  = reflect.TypeOf(resource.Quantity{})
	timeType      = reflect.TypeOf(Time{})
	microTimeType = reflect.TypeOf(MicroTime{})
	objectType    = reflect.TypeOf((*Object)(nil)).Elem()
)

// fill sets every reachable field of v to a non-zero value: pointers are
// allocated, slices and maps get two entries, quantities are decimal
// (their inf.Dec is a pointer a shallow copy would share).
func fill(v reflect.Value, seed int) {
	switch v.Type() {
	case quantityType:
		v.Set(reflect.ValueOf(*resource.NewDecimalQuantity(*inf.NewDec(int64(15+seed), 1), resource.DecimalSI)))
		return
	case timeType:
		v.Set(reflect.ValueOf(NewTime(time.Unix(1700000000+int64(seed), 0))))
		return
	case microTimeType:
		v.Set(reflect.ValueOf(MicroTime{time.Unix(1700000000+int64(seed), 5000).UTC()}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+seed%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(7 + seed))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), seed+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fill(s.Index(i), seed+i)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, seed+i)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, seed+i)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), seed+i)
		}
	case reflect.Interface:
		if v.Type() == objectType {
			p := &Pod{}
			fill(reflect.ValueOf(p).Elem(), seed)
			v.Set(reflect.ValueOf(p))
		}
	}
}

// mutate changes everything reachable from v in place, through maps,
// slice elements and pointers, so any memory shared with another value
// shows up as a change there.
func mutate(v reflect.Value) {
	switch v.Type() {
	case quantityType:
		q := v.Addr().Interface().(*resource.Quantity)
		q.Add(resource.MustParse("1")) // in place on a decimal's inf.Dec
		return
	case timeType, microTimeType:
		v.Field(0).Set(reflect.ValueOf(time.Unix(1, 0)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 100)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			mutate(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			mutate(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			mutate(e)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				mutate(v.Field(i))
			}
		}
	}
}

func TestDeepCopyNeverShares(t *testing.T) {
	cases := []struct {
		name string
		obj  any
		copy func(any) any
	}{
		{"Pod", &Pod{}, func(o any) any { return o.(*Pod).DeepCopyObject() }},
		{"Node", &Node{}, func(o any) any { return o.(*Node).DeepCopyObject() }},
		{"Namespace", &Namespace{}, func(o any) any { return o.(*Namespace).DeepCopyObject() }},
		{"ReplicationController", &ReplicationController{}, func(o any) any { return o.(*ReplicationController).DeepCopyObject() }},
		{"Event", &Event{}, func(o any) any { return o.(*Event).DeepCopyObject() }},
		{"PodList", &PodList{}, func(o any) any { return o.(*PodList).DeepCopy() }},
		{"NodeList", &NodeList{}, func(o any) any { return o.(*NodeList).DeepCopy() }},
		{"NamespaceList", &NamespaceList{}, func(o any) any { return o.(*NamespaceList).DeepCopy() }},
		{"ReplicationControllerList", &ReplicationControllerList{}, func(o any) any { return o.(*ReplicationControllerList).DeepCopy() }},
		{"EventList", &EventList{}, func(o any) any { return o.(*EventList).DeepCopy() }},
		{"List", &List{}, func(o any) any { return o.(*List).DeepCopy() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fill(reflect.ValueOf(tc.obj).Elem(), 0)
			before, err := json.Marshal(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			cp := tc.copy(tc.obj)
			if got, _ := json.Marshal(cp); string(got) != string(before) {
				t.Fatalf("copy differs from original:\n got %s\nwant %s", got, before)
			}
			if !reflect.DeepEqual(cp, tc.obj) {
				t.Fatalf("copy is not DeepEqual to the original")
			}
			mutate(reflect.ValueOf(cp))
			after, _ := json.Marshal(tc.obj)
			if string(after) != string(before) {
				t.Fatalf("mutating the copy changed the original:\nbefore %s\nafter  %s", before, after)
			}
			if changed, _ := json.Marshal(cp); string(changed) == string(before) {
				t.Fatalf("mutate changed nothing: the test would not catch sharing")
			}
		})
	}
}

func TestDeepCopyKeepsNilAndEmpty(t *testing.T) {
	p := &Pod{ObjectMeta: ObjectMeta{Labels: map[string]string{}}, Spec: PodSpec{Containers: []Container{{Name: "a"}}}}
	cp := p.DeepCopy()
	if cp.Labels == nil || cp.Annotations != nil || cp.Spec.Containers[0].Command != nil {
		t.Fatalf("nil/empty not preserved: %+v", cp)
	}
	if !reflect.DeepEqual(cp, p) {
		t.Fatalf("copy differs")
	}
}

// benchPod is a realistic pod: five labels, one container with ports,
// env and resources, a running status.
func benchPod() *Pod {
	grace := int64(30)
	return &Pod{
		TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: ObjectMeta{Name: "kubia-x7b2k", Namespace: "default", UID: "6b4f2c1e-0000-4000-8000-000000000000",
			ResourceVersion: "12345", Generation: 1, CreationTimestamp: Now(),
			Labels:          map[string]string{"app": "kubia", "env": "prod", "tier": "web", "rel": "stable", "team": "a"},
			OwnerReferences: []OwnerReference{{APIVersion: "v1", Kind: "ReplicationController", Name: "kubia", UID: "u"}}},
		Spec: PodSpec{
			Containers: []Container{{Name: "kubia", Image: "luksa/kubia", ImagePullPolicy: PullAlways,
				Command: []string{"node", "app.js"},
				Ports:   []ContainerPort{{ContainerPort: 8080, Protocol: ProtocolTCP}},
				Env:     []EnvVar{{Name: "A", Value: "1"}},
				Resources: ResourceRequirements{
					Limits:   ResourceList{"cpu": resource.MustParse("500m"), "memory": resource.MustParse("128Mi")},
					Requests: ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("64Mi")}}}},
			RestartPolicy: RestartPolicyAlways, TerminationGracePeriodSeconds: &grace, DNSPolicy: DNSClusterFirst,
			NodeName: "node1",
		},
		Status: PodStatus{Phase: "Running", PodIP: "10.244.0.5", PodIPs: []PodIP{{IP: "10.244.0.5"}},
			Conditions: []PodCondition{{Type: "Ready", Status: "True"}},
			ContainerStatuses: []ContainerStatus{{Name: "kubia", Ready: true,
				State: ContainerState{Running: &ContainerStateRunning{StartedAt: Now()}}}}},
	}
}

func BenchmarkDeepCopyPod(b *testing.B) {
	p := benchPod()
	b.ReportAllocs()
	for b.Loop() {
		_ = p.DeepCopyObject()
	}
}
