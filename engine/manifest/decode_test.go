package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minspace/min/engine/api"
)

// kubiaDir holds the Kubernetes-in-Action manifests (copied from the
// project's shared examples, so that a clone alone runs the tests).
var kubiaDir = filepath.Join("..", "..", "scripts", "kubia")

func TestDecodeKubiaExamples(t *testing.T) {
	cases := []struct {
		file, kind, name, namespace string
	}{
		{"custom-namespace.yaml", "Namespace", "custom-namespace", ""},
		{"kubia-gpu.yaml", "Pod", "kubia-gpu", ""},
		{"kubia-manual-custom-namespace.yaml", "Pod", "kubia-manual", "custom-namespace"},
		{"kubia-manual-with-labels.yaml", "Pod", "kubia-manual-v2", ""},
		{"kubia-manual.yaml", "Pod", "kubia-manual", ""},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(kubiaDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			objs, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != 1 {
				t.Fatalf("%d objects, want 1", len(objs))
			}
			o := objs[0]
			m := o.GetObjectMeta()
			if o.GetTypeMeta().Kind != tc.kind || m.Name != tc.name || m.Namespace != tc.namespace {
				t.Fatalf("got %s %s/%s", o.GetTypeMeta().Kind, m.Namespace, m.Name)
			}
			if k, _ := api.KindOf(o); k.Namespaced && m.Namespace == "" {
				m.Namespace = "default"
			}
			api.SetDefaults(o)
			if errs := api.ValidateObject(o); len(errs) > 0 {
				t.Fatalf("invalid: %v", errs)
			}
		})
	}
}

func TestDecodeKubiaDetails(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(kubiaDir, "kubia-manual-with-labels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	p := objs[0].(*api.Pod)
	c := p.Spec.Containers[0]
	if p.Labels["creation_method"] != "manual" || p.Labels["env"] != "prod" ||
		c.Image != "luksa/kubia" || c.Ports[0].ContainerPort != 8080 || c.Ports[0].Protocol != "TCP" {
		t.Fatalf("decoded %+v", p)
	}
}

func TestDecodeStreams(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		names []string
	}{
		{"multi-document", "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\n# only a comment\n---\nnull\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: c, image: busybox}]\n...\n", []string{"a", "b"}},
		{"trailing separator", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n--- # end\n", []string{"a"}},
		{"list", "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: List\n  items:\n  - {apiVersion: v1, kind: Node, metadata: {name: node1}}\n", []string{"a", "node1"}},
		{"json", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}`, []string{"a"}},
		{"json stream", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}
{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"b"}}`, []string{"a", "b"}},
		{"yaml flow mapping", `{apiVersion: v1, kind: Namespace, metadata: {name: a}}`, []string{"a"}},
		{"empty", "", nil},
		{"only comments", "# nothing\n---\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range objs {
				names = append(names, o.GetObjectMeta().Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") {
				t.Fatalf("names %v, want %v", names, tc.names)
			}
		})
	}
}

const podHead = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kubia\n"

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"typo with suggestion", podHead + "spec:\n  containers:\n  - name: kubia\n    imgae: luksa/kubia\n",
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imgae" (did you mean "image"?)`},
		{"several unknown fields", podHead + "  labelz: {a: b}\nspec:\n  containers:\n  - name: a\n    image: b\n    foo: 1\n  - name: c\n    image: d\n    ports: [{containerport: 80}]\n",
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.labelz" (did you mean "labels"?), unknown field "spec.containers[0].foo", unknown field "spec.containers[1].ports[0].containerport" (did you mean "containerPort"?)`},
		{"unknown top-level field", podHead + "spce: {}\n",
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spce" (did you mean "spec"?)`},
		{"unsupported fields", podHead + "spec:\n  volumes: []\n  containers:\n  - name: a\n    image: b\n    volumeMounts: []\n    livenessProbe: {}\n  affinity:\n    podAffinity: {}\n",
			`Pod in version "v1" cannot be handled as a Pod: field "spec.affinity.podAffinity" is not supported by Min yet, field "spec.containers[0].livenessProbe" is not supported by Min yet, field "spec.containers[0].volumeMounts" is not supported by Min yet, field "spec.volumes" is not supported by Min yet`},
		{"unknown and unsupported", podHead + "spec:\n  initContainers: []\n  containerz: []\n",
			`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containerz" (did you mean "containers"?); field "spec.initContainers" is not supported by Min yet`},
		{"missing kind", "apiVersion: v1\nmetadata:\n  name: x\n",
			`Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'`},
		{"missing apiVersion", "kind: Pod\nmetadata:\n  name: x\n",
			`Object 'apiVersion' is missing in '{"kind":"Pod","metadata":{"name":"x"}}'`},
		{"unknown kind", "apiVersion: v1\nkind: Foo\n", `no matches for kind "Foo" in version "v1"`},
		{"wrong version", "apiVersion: apps/v1\nkind: Pod\n", `no matches for kind "Pod" in version "apps/v1"`},
		{"bad quantity", podHead + "spec:\n  containers:\n  - name: a\n    image: b\n    resources:\n      limits:\n        memory: 1KB\n",
			`Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
		{"bad quantity suffix", podHead + "spec:\n  containers:\n  - name: a\n    image: b\n    resources:\n      requests:\n        cpu: 1mi\n",
			`Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix`},
		{"wrong type", podHead + "spec:\n  containers:\n  - name: a\n    ports: [{containerPort: eighty}]\n",
			`Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`},
		{"unknown field in list item", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n  spec: {finalisers: []}\n",
			`Namespace in version "v1" cannot be handled as a Namespace: strict decoding error: unknown field "spec.finalisers" (did you mean "finalizers"?)`},
		{"not an object", "- a\n- b\n", `a manifest must be an object, found an array`},
		{"duplicate key", "apiVersion: v1\nkind: Pod\nkind: Pod\n", `error converting YAML to JSON: yaml: unmarshal errors:` + "\n" + `  line 3: key "kind" already set in map`},
		{"bad separator", "apiVersion: v1\n--- x\n", `invalid Yaml document separator: x`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := Decode([]byte(tc.in))
			if err == nil {
				t.Fatalf("decoded %v, want error", objs)
			}
			if err.Error() != tc.want {
				t.Fatalf("\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestFieldErrorForLua(t *testing.T) {
	_, err := Decode([]byte(podHead + "spec:\n  containers:\n  - name: kubia\n    imgae: luksa/kubia\n"))
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("no *FieldError in %v", err)
	}
	if got, want := fe.Local(1), `spec.containers[1]: unknown field "imgae" (did you mean "image"?)`; got != want {
		t.Fatalf("Local(1) = %s, want %s", got, want)
	}
	if got, want := fe.Local(0), `spec.containers[0]: unknown field "imgae" (did you mean "image"?)`; got != want {
		t.Fatalf("Local(0) = %s, want %s", got, want)
	}
	if !errors.Is(err, ErrUnknownField) || errors.Is(err, ErrUnsupportedField) || !errors.Is(err, api.ErrBadRequest) {
		t.Fatalf("errors.Is classes wrong for %v", err)
	}
	var fes FieldErrors
	if !errors.As(err, &fes) || fes.Local(1) != fe.Local(1) {
		t.Fatalf("FieldErrors not reachable: %v", err)
	}
	_, err = Decode([]byte(podHead + "spec:\n  volumes: []\n"))
	if !errors.Is(err, ErrUnsupportedField) || !errors.As(err, &fe) || fe.Local(1) != `spec: field "volumes" is not supported by Min yet` {
		t.Fatalf("unsupported: %v", err)
	}
}

func TestDecodeKeepsGoodObjects(t *testing.T) {
	in := "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Foo\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n"
	items := NewDecoder(Options{}).DecodeEach([]byte(in))
	if len(items) != 3 || items[0].Err != nil || items[1].Err == nil || items[2].Err != nil || items[2].Doc != 2 {
		t.Fatalf("items %+v", items)
	}
	objs, err := Decode([]byte(in))
	var nk *NoKindMatchError
	if len(objs) != 2 || !errors.As(err, &nk) || nk.Kind != "Foo" {
		t.Fatalf("objs %v err %v", objs, err)
	}
}

func TestStatusDropped(t *testing.T) {
	in := podHead + "spec:\n  containers: [{name: a, image: b}]\nstatus:\n  phase: Running\n  someFutureField: 1\n"
	objs, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if p := objs[0].(*api.Pod); p.Status.Phase != "" {
		t.Fatalf("status kept: %+v", p.Status)
	}
	_, err = NewDecoder(Options{KeepStatus: true}).Decode([]byte(in))
	if err == nil || !strings.Contains(err.Error(), `unknown field "status.someFutureField"`) {
		t.Fatalf("KeepStatus: %v", err)
	}
	objs, err = NewDecoder(Options{KeepStatus: true}).Decode([]byte(strings.Replace(in, "  someFutureField: 1\n", "", 1)))
	if err != nil || objs[0].(*api.Pod).Status.Phase != "Running" {
		t.Fatalf("KeepStatus lost status: %v %v", objs, err)
	}
}

func TestDecodeObject(t *testing.T) {
	table := map[string]any{
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
		"spec": map[string]any{"containers": []any{
			map[string]any{"name": "web", "image": "nginx", "ports": []any{map[string]any{"containerPort": 80}},
				"resources": map[string]any{"limits": map[string]any{"cpu": 1, "memory": "64Mi"}}},
		}},
	}
	o, err := DecodeObject("Pod", table)
	if err != nil {
		t.Fatal(err)
	}
	p := o.(*api.Pod)
	cpu := p.Spec.Containers[0].Resources.Limits["cpu"]
	if p.Kind != "Pod" || p.APIVersion != "v1" || p.Spec.Containers[0].Ports[0].ContainerPort != 80 || cpu.MilliValue() != 1000 {
		t.Fatalf("decoded %+v", p)
	}
	table["kind"] = "Node"
	var km *KindMismatchError
	if _, err := DecodeObject("Pod", table); !errors.As(err, &km) {
		t.Fatalf("kind mismatch: %v", err)
	}
	if _, err := DecodeObject("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeObject("", []byte("apiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: Namespace\n")); err == nil {
		t.Fatal("two documents accepted by DecodeObject")
	}
	_, err = DecodeObject("Pod", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"imgae": "x"}}}})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Local(1) != `spec.containers[1]: unknown field "imgae" (did you mean "image"?)` {
		t.Fatalf("lua path: %v", err)
	}
}

// TestDefaultValuedFieldsAccepted: what `kubectl get -o yaml` prints for
// fields Min lacks is accepted at Kubernetes' default value only.
func TestDefaultValuedFieldsAccepted(t *testing.T) {
	exported := podHead + `spec:
  containers:
  - image: luksa/kubia
    name: kubia
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  preemptionPolicy: PreemptLowerPriority
  priority: 0
  schedulerName: default-scheduler
  securityContext: {}
  serviceAccountName: default
`
	if _, err := Decode([]byte(exported)); err != nil {
		t.Fatalf("default-valued fields refused: %v", err)
	}
	_, err := Decode([]byte(strings.Replace(exported, "schedulerName: default-scheduler", "schedulerName: mine", 1)))
	if err == nil || !strings.Contains(err.Error(), `field "spec.schedulerName" is not supported by Min yet`) {
		t.Fatalf("non-default schedulerName: %v", err)
	}
	_, err = Decode([]byte(strings.Replace(exported, "securityContext: {}", "securityContext: {runAsUser: 1}", 1)))
	if err == nil || !strings.Contains(err.Error(), `field "spec.securityContext.runAsUser" is not supported by Min yet`) {
		t.Fatalf("non-empty securityContext: %v", err)
	}
}

// TestEmptyLuaTables: an empty table from Lua may stand for an empty list.
func TestEmptyLuaTables(t *testing.T) {
	o, err := DecodeObject("Pod", map[string]any{
		"metadata": map[string]any{"name": "a", "labels": map[string]any{}},
		"spec": map[string]any{"containers": []any{
			map[string]any{"name": "a", "image": "b", "command": map[string]any{}, "env": map[string]any{}}},
			"tolerations": map[string]any{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := o.(*api.Pod); p.Spec.Containers[0].Command == nil || p.Labels == nil {
		t.Fatalf("decoded %+v", p)
	}
	if _, err := Decode([]byte(podHead + "spec:\n  containers: {}\n")); err == nil {
		t.Fatalf("an empty mapping for a list is accepted in YAML; Kubernetes refuses it")
	}
}

func TestTypeErrorPath(t *testing.T) {
	cases := []struct {
		name, in, local string
	}{
		{"port", podHead + "spec:\n  containers:\n  - name: a\n    ports: [{containerPort: 80}]\n  - name: b\n    ports: [{containerPort: 1}, {containerPort: eighty}]\n",
			"spec.containers[2].ports[2].containerPort: expected an integer, got a string"},
		{"labels", podHead + "  labels: [a]\n", "metadata.labels: expected an object, got a list"},
		{"float", podHead + "spec:\n  terminationGracePeriodSeconds: 1.5\n", "spec.terminationGracePeriodSeconds: expected an integer, got a number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			var te *TypeError
			if !errors.As(err, &te) {
				t.Fatalf("no *TypeError in %v", err)
			}
			if got := te.Local(1); got != tc.local {
				t.Fatalf("Local(1) = %s, want %s", got, tc.local)
			}
			if !strings.HasPrefix(err.Error(), `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal `) {
				t.Fatalf("Kubernetes text lost: %v", err)
			}
		})
	}
}

func TestLocal(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"unknown", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"imgae": "x"}}}},
			`spec.containers[1]: unknown field "imgae" (did you mean "image"?)`},
		{"type", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": true}}}},
			`spec.containers[1].name: expected a string, got a bool`},
		{"quantity", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"resources": map[string]any{"limits": map[string]any{"cpu": "lots"}}}}}},
			`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeObject("Pod", tc.in)
			if err == nil {
				t.Fatal("decoded")
			}
			if got := Local(err, 1); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestQuantityExponentBounded(t *testing.T) {
	for _, q := range []string{"1e-999999999", "1E99999999999999999999", "1e+1001"} {
		_, err := Decode([]byte(podHead + "spec:\n  containers:\n  - name: a\n    image: b\n    resources:\n      limits:\n        cpu: \"" + q + "\"\n"))
		var qe *QuantityRangeError
		if !errors.As(err, &qe) || qe.Path.Render(0) != "spec.containers[0].resources.limits[cpu]" {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := Decode([]byte(podHead + "spec:\n  containers:\n  - {name: a, image: b, resources: {limits: {cpu: \"1e3\", memory: 1e-3}}}\n")); err != nil {
		t.Errorf("ordinary exponents refused: %v", err)
	}
}

func TestTypedList(t *testing.T) {
	in := `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"i"}]}},{"kind":"Pod","apiVersion":"v1","metadata":{"name":"b"},"spec":{"containers":[]}}]}`
	objs, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].(*api.Pod).Name != "a" || objs[0].GetTypeMeta().Kind != "Pod" {
		t.Fatalf("objs %v", objs)
	}
	if _, err := Decode([]byte(`{"kind":"FooList","apiVersion":"v1","items":[]}`)); err == nil || err.Error() != `no matches for kind "FooList" in version "v1"` {
		t.Fatalf("FooList: %v", err)
	}
}

// TestReplicationControllerFlow: the book's kubia-rc.yaml decodes,
// defaults and validates; a template that drifts from the selector gets
// Kubernetes' Invalid text.
func TestReplicationControllerFlow(t *testing.T) {
	rc := `apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - containerPort: 8080
`
	cases := []struct {
		name, in, want string
	}{
		{"book", rc, ""},
		{"no selector defaults from template", strings.Replace(rc, "  selector:\n    app: kubia\n", "", 1), ""},
		{"drifted template", strings.Replace(strings.Replace(rc, "        app: kubia\n", "        app: kubia-x\n", 1),
			"      containers:", "      restartPolicy: OnFailure\n      containers:", 1),
			"ReplicationController \"kubia\" is invalid: [spec.template.metadata.labels: Invalid value: {\"app\":\"kubia-x\"}: `selector` does not match template `labels`, " +
				`spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			r := objs[0].(*api.ReplicationController)
			r.Namespace = "default"
			api.SetDefaults(r)
			got := ""
			if err := api.InvalidError(r, api.ValidateObject(r)); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
			if tc.want == "" && (r.Spec.Selector["app"] != "kubia" || r.Labels["app"] != "kubia") {
				t.Fatalf("selector/labels not defaulted: %+v", r)
			}
		})
	}
}

// TestHostileInputs: deep nesting and alias bombs end in errors, not in
// a blown stack or memory.
func TestHostileInputs(t *testing.T) {
	bomb := "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	cases := map[string]string{
		"deep flow":  strings.Repeat("[", 200000),
		"deep block": strings.Repeat("- ", 20000) + "x",
		"deep json":  "{" + strings.Repeat(`"a":{`, 20000),
		"alias bomb": bomb,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode([]byte(in)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestDecodeObjectLuaValues(t *testing.T) {
	o, err := DecodeObject("Pod", map[string]any{
		"metadata": map[string]any{"name": "a"},
		"spec": map[string]any{"priority": float64(0), "terminationGracePeriodSeconds": int64(5),
			"containers": []any{map[string]any{"name": "a", "image": "b",
				"ports":     []any{map[string]any{"containerPort": float64(80)}},
				"resources": map[string]any{"limits": map[string]any{"cpu": 0.5}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := o.(*api.Pod)
	cpu := p.Spec.Containers[0].Resources.Limits["cpu"]
	if *p.Spec.TerminationGracePeriodSeconds != 5 || p.Spec.Containers[0].Ports[0].ContainerPort != 80 || cpu.MilliValue() != 500 {
		t.Fatalf("decoded %+v", p)
	}
	_, err = DecodeObject("Pod", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"ports": []any{map[string]any{"containerPort": 80.5}}}}}})
	if got := Local(err, 1); got != "spec.containers[1].ports[1].containerPort: expected an integer, got a number" {
		t.Fatalf("Local = %s", got)
	}
}

// TestSecurityContextFields: seccompProfile is Min's; the other
// securityContext fields of Kubernetes are refused as not supported yet.
func TestSecurityContextFields(t *testing.T) {
	base := podHead + `spec:
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  containers:
  - image: busybox
    name: c
    securityContext:
      seccompProfile: {type: Unconfined}
`
	objs, err := Decode([]byte(base))
	if err != nil || len(objs) != 1 {
		t.Fatal(objs, err)
	}
	p := objs[0].(*api.Pod)
	if p.Spec.SecurityContext.SeccompProfile.Type != "RuntimeDefault" || p.Spec.Containers[0].SecurityContext.SeccompProfile.Type != "Unconfined" {
		t.Fatalf("seccomp profiles lost: %+v", p.Spec)
	}
	_, err = Decode([]byte(strings.Replace(base, "      seccompProfile: {type: Unconfined}", "      privileged: true", 1)))
	if err == nil || !strings.Contains(err.Error(), `field "spec.containers[0].securityContext.privileged" is not supported by Min yet`) {
		t.Fatalf("privileged: %v", err)
	}
}
