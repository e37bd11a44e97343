package api

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	labelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	nameRegexMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	valueMsg     = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

func goodPod() *Pod {
	return &Pod{ObjectMeta: ObjectMeta{Name: "kubia", Namespace: "default"},
		Spec: PodSpec{Containers: []Container{{Name: "kubia", Image: "luksa/kubia"}}}}
}

func goodRC() *ReplicationController {
	return &ReplicationController{ObjectMeta: ObjectMeta{Name: "kubia", Namespace: "default"},
		Spec: ReplicationControllerSpec{Replicas: ptr(int32(3)), Selector: map[string]string{"app": "kubia"},
			Template: &PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "kubia"}},
				Spec: PodSpec{Containers: []Container{{Name: "kubia", Image: "luksa/kubia"}}}}}}
}

// invalidText validates obj after defaults and renders the Invalid error.
func invalidText(obj Object) string {
	SetDefaults(obj)
	if err := InvalidError(obj, ValidateObject(obj)); err != nil {
		return err.Error()
	}
	return ""
}

func TestValidateObjectTexts(t *testing.T) {
	cases := []struct {
		name string
		obj  func() Object
		want string
	}{
		{"valid pod", func() Object { return goodPod() }, ""},
		{"valid rc", func() Object { return goodRC() }, ""},
		{"valid namespace", func() Object { return &Namespace{ObjectMeta: ObjectMeta{Name: "custom-namespace"}} }, ""},
		{"valid node", func() Object { return &Node{ObjectMeta: ObjectMeta{Name: "node1.example.com"}} }, ""},
		{"pod bad name", func() Object { p := goodPod(); p.Name = "Kubia_Manual"; return p },
			`Pod "Kubia_Manual" is invalid: metadata.name: Invalid value: "Kubia_Manual": ` + subdomainMsg},
		{"namespace dots", func() Object { return &Namespace{ObjectMeta: ObjectMeta{Name: "my.ns"}} },
			`Namespace "my.ns" is invalid: metadata.name: Invalid value: "my.ns": must not contain dots`},
		{"pod bad namespace", func() Object { p := goodPod(); p.Namespace = "My.NS"; return p },
			`Pod "kubia" is invalid: metadata.namespace: Invalid value: "My.NS": ` + labelMsg},
		{"no name", func() Object { p := goodPod(); p.Name = ""; return p },
			`Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
		{"namespace required", func() Object { p := goodPod(); p.Namespace = ""; return p },
			`Pod "kubia" is invalid: metadata.namespace: Required value`},
		{"namespace forbidden", func() Object { return &Node{ObjectMeta: ObjectMeta{Name: "n", Namespace: "default"}} },
			`Node "n" is invalid: metadata.namespace: Forbidden: not allowed on this type`},
		{"generateName ok", func() Object { p := goodPod(); p.Name = ""; p.GenerateName = "kubia-"; return p }, ""},
		{"generateName bad", func() Object { p := goodPod(); p.Name = "Kubia-x7b2k"; p.GenerateName = "Kubia-"; return p },
			`Pod "Kubia-x7b2k" is invalid: [metadata.generateName: Invalid value: "Kubia-": ` + subdomainMsg +
				`, metadata.name: Invalid value: "Kubia-x7b2k": ` + subdomainMsg + `]`},
		{"bad label key", func() Object { p := goodPod(); p.Labels = map[string]string{"bad key": "x"}; return p },
			`Pod "kubia" is invalid: metadata.labels: Invalid value: "bad key": ` + nameRegexMsg},
		{"bad label value", func() Object { p := goodPod(); p.Labels = map[string]string{"env": "-prod"}; return p },
			`Pod "kubia" is invalid: metadata.labels: Invalid value: "-prod": ` + valueMsg},
		{"bad nodeSelector", func() Object { p := goodPod(); p.Spec.NodeSelector = map[string]string{"gpu": "yes!"}; return p },
			`Pod "kubia" is invalid: spec.nodeSelector: Invalid value: "yes!": ` + valueMsg},
		{"annotation upper case ok", func() Object {
			p := goodPod()
			p.Annotations = map[string]string{"Example.COM/Foo": "bar"}
			return p
		}, ""},
		{"annotation bad key", func() Object { p := goodPod(); p.Annotations = map[string]string{"bad key": ""}; return p },
			`Pod "kubia" is invalid: metadata.annotations: Invalid value: "bad key": ` + nameRegexMsg},
		{"annotations at limit", func() Object {
			p := goodPod()
			p.Annotations = map[string]string{"k": strings.Repeat("x", 262143)}
			return p
		}, ""},
		{"annotations too big", func() Object {
			p := goodPod()
			p.Annotations = map[string]string{"k": strings.Repeat("x", 262144)}
			return p
		}, `Pod "kubia" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes`},
		{"no containers", func() Object { p := goodPod(); p.Spec.Containers = nil; return p },
			`Pod "kubia" is invalid: spec.containers: Required value`},
		{"container problems", func() Object {
			p := goodPod()
			p.Spec.Containers = []Container{{Name: "Web", Image: "x"}, {Name: "a"}, {Name: "a", Image: "y"}, {Image: "z"}}
			return p
		}, `Pod "kubia" is invalid: [spec.containers[0].name: Invalid value: "Web": ` + labelMsg +
			`, spec.containers[1].image: Required value, spec.containers[2].name: Duplicate value: "a", spec.containers[3].name: Required value]`},
		{"restartPolicy", func() Object { p := goodPod(); p.Spec.RestartPolicy = "Sometimes"; return p },
			`Pod "kubia" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
		{"dnsPolicy None", func() Object { p := goodPod(); p.Spec.DNSPolicy = DNSNone; return p },
			"Pod \"kubia\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"},
		{"ports", func() Object {
			p := goodPod()
			p.Spec.Containers[0].Ports = []ContainerPort{{ContainerPort: 70000}, {ContainerPort: 80, Protocol: "tcp"}}
			return p
		}, `Pod "kubia" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.containers[0].ports[1].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"]`},
		{"resources", func() Object {
			p := goodPod()
			p.Spec.Containers[0].Resources = ResourceRequirements{
				Limits:   ResourceList{"cpu": resource.MustParse("500m"), "memory": resource.MustParse("-1")},
				Requests: ResourceList{"cpu": resource.MustParse("600m"), "foo": resource.MustParse("1")},
			}
			return p
		}, `Pod "kubia" is invalid: [spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0, ` +
			`spec.containers[0].resources.requests: Invalid value: "600m": must be less than or equal to cpu limit of 500m, ` +
			`spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers, ` +
			`spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0]`},
		{"rc selector mismatch and restartPolicy", func() Object {
			r := goodRC()
			r.Spec.Template.Labels = map[string]string{"app": "kubia-x"}
			r.Spec.Template.Spec.RestartPolicy = RestartPolicyOnFailure
			return r
		}, "ReplicationController \"kubia\" is invalid: [spec.template.metadata.labels: Invalid value: {\"app\":\"kubia-x\"}: `selector` does not match template `labels`, " +
			`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"]`},
		{"rc negative replicas", func() Object { r := goodRC(); r.Spec.Replicas = ptr(int32(-1)); return r },
			`ReplicationController "kubia" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"rc no selector", func() Object {
			r := goodRC()
			r.Spec.Selector = nil
			r.Spec.Template.Labels = nil
			return r
		}, `ReplicationController "kubia" is invalid: spec.selector: Required value`},
		{"rc no template", func() Object { r := goodRC(); r.Spec.Template = nil; return r },
			`ReplicationController "kubia" is invalid: spec.template: Required value`},
		{"namespace finalizer", func() Object {
			return &Namespace{ObjectMeta: ObjectMeta{Name: "a"}, Spec: NamespaceSpec{Finalizers: []string{"foo"}}}
		}, `Namespace "a" is invalid: spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified`},
		{"node taint", func() Object {
			return &Node{ObjectMeta: ObjectMeta{Name: "n"}, Spec: NodeSpec{Taints: []Taint{{Key: "gpu", Effect: "Never"}}}}
		}, `Node "n" is invalid: spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := invalidText(tc.obj()); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestInvalidErrorIsTyped(t *testing.T) {
	p := goodPod()
	p.Name = "Bad"
	err := error(InvalidError(p, ValidateObject(p)))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("InvalidError is not ErrInvalid: %v", err)
	}
	if InvalidError(goodPod(), nil) != nil {
		t.Fatalf("InvalidError(nil list) must be nil")
	}
}

func TestValidateUpdate(t *testing.T) {
	base := func() *Pod {
		p := goodPod()
		p.UID = "u1"
		p.CreationTimestamp = NewTime(time.Date(2026, 7, 23, 7, 7, 48, 0, time.UTC))
		p.ResourceVersion = "1"
		SetDefaults(p)
		return p
	}
	cases := []struct {
		name   string
		change func(p *Pod)
		want   []string
	}{
		{"labels and status change freely", func(p *Pod) { p.Labels = map[string]string{"a": "b"}; p.Status.Phase = "Running" }, nil},
		{"image may change", func(p *Pod) { p.Spec.Containers[0].Image = "luksa/kubia:v2" }, nil},
		{"binding sets nodeName", func(p *Pod) { p.Spec.NodeName = "node1" }, nil},
		{"grace period may change", func(p *Pod) { p.Spec.TerminationGracePeriodSeconds = ptr(int64(5)) }, nil},
		{"name immutable", func(p *Pod) { p.Name = "other" }, []string{`metadata.name: Invalid value: "other": field is immutable`}},
		{"namespace immutable", func(p *Pod) { p.Namespace = "kube-system" }, []string{`metadata.namespace: Invalid value: "kube-system": field is immutable`}},
		{"uid immutable", func(p *Pod) { p.UID = "u2" }, []string{`metadata.uid: Invalid value: "u2": field is immutable`}},
		{"creationTimestamp immutable", func(p *Pod) { p.CreationTimestamp = NewTime(p.CreationTimestamp.Add(1e9)) },
			[]string{`metadata.creationTimestamp: Invalid value: "2026-07-23T07:07:49Z": field is immutable`}},
		{"spec immutable", func(p *Pod) { p.Spec.RestartPolicy = RestartPolicyNever }, []string{"spec: Forbidden: " + podUpdateForbidden}},
		{"containers fixed", func(p *Pod) {
			p.Spec.Containers = append(p.Spec.Containers, Container{Name: "b", Image: "b", ImagePullPolicy: PullAlways})
		},
			[]string{"spec.containers: Forbidden: pod updates may not add or remove containers"}},
		{"generation", func(p *Pod) { p.Generation = -1 }, []string{
			`metadata.generation: Invalid value: -1: must not be decremented`,
			`metadata.generation: Invalid value: -1: must be greater than or equal to 0`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := base()
			p := old.DeepCopy()
			tc.change(p)
			errs := ValidateUpdate(p, old)
			if got, want := errStrings(errs), strings.Join(tc.want, "\n"); got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
	rc := goodRC()
	SetDefaults(rc)
	if got := errStrings(ValidateUpdate(rc, rc.DeepCopy())); got != "" {
		t.Errorf("unchanged RC: %s", got)
	}
}

func TestValidateUpdateNewFinalizersOnDeletingObject(t *testing.T) {
	old := &Namespace{ObjectMeta: ObjectMeta{Name: "a", DeletionTimestamp: ptr(Now())}}
	SetDefaults(old)
	n := old.DeepCopy()
	n.Finalizers = []string{"example.com/x"}
	want := `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}`
	if got := errStrings(ValidateUpdate(n, old)); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func errStrings(errs field.ErrorList) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func TestLabelHelpers(t *testing.T) {
	if msgs := ValidateLabelKey("app.kubernetes.io/name"); msgs != nil {
		t.Errorf("valid key: %v", msgs)
	}
	if msgs := ValidateLabelValue("bad value"); len(msgs) != 1 || msgs[0] != valueMsg {
		t.Errorf("bad value: %v", msgs)
	}
	if msgs := ValidateAnnotationKey("Example.COM/Foo"); msgs != nil {
		t.Errorf("annotation key is case-insensitive: %v", msgs)
	}
	if msgs := ValidateLabelKey("Example.COM/Foo"); len(msgs) == 0 {
		t.Errorf("label key prefix must be lower case")
	}
}

func TestExtendedResources(t *testing.T) {
	cases := []struct {
		name             string
		limits, requests ResourceList
		want             string
	}{
		{"gpu limit only", ResourceList{"nvidia.com/gpu": resource.MustParse("1")}, nil, ""},
		{"gpu fraction", ResourceList{"nvidia.com/gpu": resource.MustParse("500m")}, nil,
			`[spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "500m": must be an integer, ` +
				`spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "500m": must be an integer]`},
		{"gpu request below limit", ResourceList{"nvidia.com/gpu": resource.MustParse("2")}, ResourceList{"nvidia.com/gpu": resource.MustParse("1")},
			`spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2`},
		{"hugepages without limit", nil, ResourceList{"hugepages-2Mi": resource.MustParse("2Mi")},
			`spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPod()
			p.Spec.Containers[0].Resources = ResourceRequirements{Limits: tc.limits, Requests: tc.requests}
			want := ""
			if tc.want != "" {
				want = `Pod "kubia" is invalid: ` + tc.want
			}
			if got := invalidText(p); got != want {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestHostPortsUnique(t *testing.T) {
	p := goodPod()
	p.Spec.Containers = []Container{
		{Name: "a", Image: "x", Ports: []ContainerPort{{ContainerPort: 80, HostPort: 8080}}},
		{Name: "b", Image: "y", Ports: []ContainerPort{{ContainerPort: 81, HostPort: 8080}, {ContainerPort: 82, HostPort: 8080, Protocol: ProtocolUDP}}},
	}
	want := `Pod "kubia" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"`
	if got := invalidText(p); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestNodeUpdatePodCIDR(t *testing.T) {
	old := &Node{ObjectMeta: ObjectMeta{Name: "n"}}
	n := old.DeepCopy()
	n.Spec.PodCIDR = "10.244.1.0/24"
	if errs := ValidateUpdate(n, old); len(errs) > 0 {
		t.Fatalf("setting podCIDR: %v", errs)
	}
	m := n.DeepCopy()
	m.Spec.PodCIDR = "10.244.2.0/24"
	want := `spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid`
	if got := errStrings(ValidateUpdate(m, n)); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

// The constants and name rules copied from apimachinery's api/validation
// stay equal to the originals.
func TestCopiedValidationMatchesApimachinery(t *testing.T) {
	if FieldImmutable != apivalidation.FieldImmutableErrorMsg {
		t.Errorf("FieldImmutable = %q, want %q", FieldImmutable, apivalidation.FieldImmutableErrorMsg)
	}
	if TotalAnnotationSizeLimit != apivalidation.TotalAnnotationSizeLimitB {
		t.Errorf("TotalAnnotationSizeLimit = %d, want %d", TotalAnnotationSizeLimit, apivalidation.TotalAnnotationSizeLimitB)
	}
	names := []string{"a", "a-", "-", "ab-", "A", "kubia", "kubia-", "a.b", "a.b-", "a_b", "", strings.Repeat("a", 63) + "-", strings.Repeat("a", 254)}
	for _, n := range names {
		for _, prefix := range []bool{false, true} {
			if got, want := NameIsDNSSubdomain(n, prefix), apivalidation.NameIsDNSSubdomain(n, prefix); !reflect.DeepEqual(got, want) {
				t.Errorf("NameIsDNSSubdomain(%q, %v) = %q, want %q", n, prefix, got, want)
			}
			if got, want := NameIsDNSLabel(n, prefix), apivalidation.NameIsDNSLabel(n, prefix); !reflect.DeepEqual(got, want) {
				t.Errorf("NameIsDNSLabel(%q, %v) = %q, want %q", n, prefix, got, want)
			}
		}
	}
}
