package printers

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

func otherNamespacePods() []api.Object {
	pods := kubiaPods()
	sys := pod("coredns-7db6d8ff4d-x2x8k", 72*time.Hour, scheduled("node1", "10.244.0.2"), labelled("k8s-app", "kube-dns"),
		status("Running", cstatus("coredns", true, 0, running(72*time.Hour), api.ContainerState{})))
	sys.Namespace = "kube-system"
	return append(pods, sys)
}

func TestTables(t *testing.T) {
	pods := kubiaPods()
	pods[0].GetObjectMeta().Labels = map[string]string{"app": "kubia", "env": "prod", "app.kubernetes.io/name": "kubia"}
	nodes := []api.Object{
		node("node1", 72*time.Hour, func(n *api.Node) {
			n.Labels = map[string]string{"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master", "gpu": "true"}
		}),
		node("node2", 50*time.Hour, func(n *api.Node) {
			n.Status.Conditions[0].Status = "False"
			n.Status.Addresses = append(n.Status.Addresses, api.NodeAddress{Type: "ExternalIP", Address: "203.0.113.7"})
			n.Status.NodeInfo.OSImage = ""
		}),
		node("node3", time.Hour, func(n *api.Node) { n.Status.Conditions = nil; n.Spec.Unschedulable = true }),
	}
	rcs := []api.Object{rc("kubia", 3, 3, 2, 10*time.Minute), rc("web", 1, 0, 0, 30*time.Second)}
	events := []api.Object{
		event("kubia.1", "Normal", "Scheduled", "Pod", "kubia", "Successfully assigned default/kubia to node1", 3*time.Minute, 3*time.Minute, 1),
		event("kubia.2", "Warning", "BackOff", "Pod", "kubia", "Back-off restarting failed container kubia in pod kubia_default(uid-kubia)\n", 2*time.Minute, 20*time.Second, 7),
		func() *api.Event {
			e := event("node1.1", "Normal", "NodeReady", "Node", "node1", "Node node1 status is now: NodeReady", 0, 0, 0)
			e.Namespace, e.FirstTimestamp, e.LastTimestamp = "kube-system", api.Time{}, api.Time{}
			e.EventTime = api.MicroTime{Time: now.Add(-90 * time.Second)}
			e.InvolvedObject.FieldPath = ""
			e.Source = api.EventSource{}
			e.ReportingController, e.ReportingInstance = "kubelet", "node1"
			return e
		}(),
	}
	cases := []struct {
		name, kind, file string
		objs             []api.Object
		opts             Options
	}{
		{"pods --show-labels", "pods", "pods-show-labels.txt", pods, Options{ShowLabels: true}},
		{"pods -L with a prefixed key", "pods", "pods-L-prefixed.txt", pods, Options{LabelColumns: []string{"app.kubernetes.io/name", "env"}}},
		{"pods -A", "pods", "pods-A.txt", otherNamespacePods(), Options{WithNamespace: true}},
		{"pods -A -o wide --show-labels", "pods", "pods-A-wide-labels.txt", otherNamespacePods(), Options{WithNamespace: true, Wide: true, ShowLabels: true}},
		{"pods --no-headers", "pods", "pods-no-headers.txt", pods, Options{NoHeaders: true}},
		{"get all: pods with kind", "pods", "pods-with-kind.txt", pods, Options{WithKind: true}},
		{"nodes", "nodes", "nodes.txt", nodes, Options{}},
		{"nodes -o wide", "nodes", "nodes-wide.txt", nodes, Options{Wide: true}},
		{"nodes -A has no NAMESPACE", "nodes", "nodes.txt", nodes, Options{WithNamespace: true}},
		{"rc", "rc", "rc.txt", rcs, Options{}},
		{"rc -o wide", "rc", "rc-wide.txt", rcs, Options{Wide: true}},
		{"rc with kind", "rc", "rc-with-kind.txt", rcs, Options{WithKind: true}},
		{"events", "events", "events.txt", events, Options{}},
		{"events -A", "events", "events-A.txt", events, Options{WithNamespace: true}},
		{"events -o wide", "events", "events-wide.txt", events, Options{Wide: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.file, render(t, c.kind, c.objs, c.opts))
		})
	}
}

func TestEmptyTablePrintsNothing(t *testing.T) {
	for _, opts := range []Options{{}, {NoHeaders: true}, {Wide: true, ShowLabels: true}} {
		if got := render(t, "pods", nil, opts); got != "" {
			t.Errorf("%+v: got %q, want nothing", opts, got)
		}
	}
	if got, want := NoResources("default", false), "No resources found in default namespace."; got != want {
		t.Errorf("NoResources = %q, want %q", got, want)
	}
	if got, want := NoResources("default", true), "No resources found"; got != want {
		t.Errorf("NoResources -A = %q, want %q", got, want)
	}
}

// TestCellEscapes: a line break cuts a cell with "...", ESC becomes ^[.
func TestCellEscapes(t *testing.T) {
	e := event("x", "Warning", "Failed", "Pod", "p", "first line\nsecond line", time.Minute, time.Minute, 1)
	e2 := event("y", "Normal", "Odd", "Pod", "p", "bell \x1b[31mred", time.Minute, time.Minute, 1)
	got := render(t, "events", []api.Object{e, e2}, Options{NoHeaders: true})
	for _, want := range []string{"first line...\n", "bell ^[[31mred\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestTableJSON pins the wire shape issue 9 serves: columnDefinitions
// with every field, cells with integers as numbers, wide cells included.
func TestTableJSON(t *testing.T) {
	tbl, err := TableFor("rc", []api.Object{rc("kubia", 3, 3, 2, 10*time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tbl)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"Name must be unique`,
		`{"name":"Desired","type":"integer","format":"","description":"Replicas is the number of desired replicas.`,
		`{"name":"Containers","type":"string","format":"","description":"Names of each container in the template.","priority":1}`,
		`"rows":[{"cells":["kubia",3,3,2,"10m","kubia","luksa/kubia","app=kubia"]}]`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table JSON lacks %s\n%s", want, s)
		}
	}
	pods, err := TableFor("pods", kubiaPods(), now)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pods.Rows[0].Cells); n != len(pods.Columns) || n != 9 {
		t.Errorf("pod row has %d cells for %d columns, want 9 (wide cells always sent)", n, len(pods.Columns))
	}
	done := pod("done", time.Minute, status("Succeeded", cstatus("kubia", false, 0, terminated(0, "Completed", time.Second), api.ContainerState{})))
	tbl, _ = TableFor("pods", []api.Object{done}, now)
	if c := tbl.Rows[0].Conditions; len(c) != 1 || c[0].Type != "Completed" || c[0].Reason != "Succeeded" {
		t.Errorf("succeeded pod row conditions = %+v, want Completed/Succeeded", c)
	}
}

// TestTableEncoderBatches: a Table written a few rows at a time is
// TableJSON's whole answer byte for byte (an empty batch adds nothing),
// and it decodes back to the same rows.
func TestTableEncoderBatches(t *testing.T) {
	tbl, err := TableFor("pods", append(kubiaPods(), otherNamespacePods()...), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, include := range []string{"", IncludeNone, IncludeObject} {
		want, err := TableJSON(tbl, "7", include)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		e, err := NewTableEncoder(&b, tbl.Columns, "7", include)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range [][]Row{tbl.Rows[:1], nil, tbl.Rows[1:3], tbl.Rows[3:]} {
			if err := e.Rows(batch); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("include %q: batches wrote\n%s\nTableJSON wrote\n%s", include, b.String(), want)
		}
		got, rv, err := DecodeTable(&b, "pods", include)
		if err != nil || rv != "7" || len(got.Rows) != len(tbl.Rows) {
			t.Fatalf("include %q: decoded %d rows, rv %q, err %v; want %d rows, rv 7", include, len(got.Rows), rv, err, len(tbl.Rows))
		}
	}
	empty, err := TableJSON(&Table{Columns: tbl.Columns}, "", "")
	if err != nil || !bytes.HasSuffix(empty, []byte(`"rows":[]}`)) {
		t.Errorf("empty table = %s, %v; want rows []", empty, err)
	}
	if _, err := NewTableEncoder(&bytes.Buffer{}, nil, "", "Everything"); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("includeObject=Everything: err %v, want BadRequest", err)
	}
}

// TestRendererMatchesTabwriter checks the two-pass renderer against
// text/tabwriter with kubectl's settings on varied tables, wide
// characters and empty cells included.
func TestRendererMatchesTabwriter(t *testing.T) {
	pods := otherNamespacePods()
	pods[1].GetObjectMeta().Labels = map[string]string{"app": "kübia-ünïcode", "env": ""}
	long := pod(strings.Repeat("x", 80), time.Hour)
	long.Namespace = "n"
	pods = append(pods, long)
	variants := []Options{{}, {Wide: true}, {WithNamespace: true}, {ShowLabels: true, Wide: true, WithNamespace: true},
		{LabelColumns: []string{"app", "env", "missing"}}, {NoHeaders: true, WithKind: true}}
	for _, opts := range variants {
		for n := 1; n <= len(pods); n++ {
			tbl, err := TableFor("pods", pods[:n], now)
			if err != nil {
				t.Fatal(err)
			}
			r := newRenderer(tbl, opts)
			if !r.measure() {
				t.Fatalf("%+v: measure refused plain cells", opts)
			}
			var fast, slow strings.Builder
			if err := r.print(&fast); err != nil {
				t.Fatal(err)
			}
			if err := newRenderer(tbl, opts).printTabwriter(&slow); err != nil {
				t.Fatal(err)
			}
			if fast.String() != slow.String() {
				t.Errorf("%+v, %d rows:\n--- renderer\n%s--- tabwriter\n%s", opts, n, dollar(fast.String()), dollar(slow.String()))
			}
		}
	}
}

// TestCellWithTab: a tab inside a cell makes more cells, as in kubectl;
// the extra column is a block of its own (width max(6, 1+3)).
func TestCellWithTab(t *testing.T) {
	e := event("x", "Normal", "Odd", "Pod", "p", "a\tb", time.Minute, time.Minute, 1)
	got := render(t, "events", []api.Object{e}, Options{})
	want := "LAST SEEN   TYPE     REASON   OBJECT   MESSAGE\n60s         Normal   Odd      pod/p    a     b\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", dollar(got), dollar(want))
	}
}

func TestTableWireJSON(t *testing.T) {
	done := pod("done", time.Minute, labelled("app", "x"), status("Succeeded", cstatus("kubia", false, 0, terminated(0, "Completed", time.Second), api.ContainerState{})))
	tbl, err := TableFor("pods", []api.Object{done}, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TableJSON(tbl, "42", "")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer // rows are written one per line
	if err := json.Compact(&compact, b); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := compact.String()
	for _, want := range []string{
		`{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"42"},"columnDefinitions":[{"name":"Name",`,
		`"rows":[{"cells":["done","0/1","Completed","0","60s","\u003cnone\u003e","\u003cnone\u003e","\u003cnone\u003e","\u003cnone\u003e"],` +
			`"conditions":[{"type":"Completed","status":"True","reason":"Succeeded","message":"The pod has completed successfully."}],` +
			`"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"done","namespace":"default","uid":"uid-done","creationTimestamp":"2026-07-23T11:59:00Z","labels":{"app":"x"}}}}]}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table JSON lacks %s\n%s", want, s)
		}
	}
	b, _ = TableJSON(tbl, "", IncludeObject)
	if !strings.Contains(string(b), `"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"done"`) {
		t.Errorf("includeObject=Object: %s", b)
	}
	b, _ = TableJSON(tbl, "", IncludeNone)
	if strings.Contains(string(b), `"object"`) {
		t.Errorf("includeObject=None: %s", b)
	}
	if _, err := TableJSON(tbl, "", "Everything"); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("bad includeObject: %v, want ErrBadRequest", err)
	}
}
