package printers

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

func printObjects(t *testing.T, kind string, objs []api.Object, output string, opts Options) (string, error) {
	t.Helper()
	var b bytes.Buffer
	err := PrintObjects(&b, kind, objs, output, opts, now)
	return b.String(), err
}

func mustPrint(t *testing.T, kind string, objs []api.Object, output string, opts Options) string {
	t.Helper()
	s, err := printObjects(t, kind, objs, output, opts)
	if err != nil {
		t.Fatalf("-o %q: %v", output, err)
	}
	return s
}

func TestOutputName(t *testing.T) {
	cases := []struct {
		name, kind string
		objs       []api.Object
		want       string
	}{
		{"pods", "pods", kubiaPods(), "pod/kubia-manual\npod/kubia-gpu\npod/crash\n"},
		{"rc", "rc", []api.Object{rc("kubia", 3, 3, 3, time.Hour)}, "replicationcontroller/kubia\n"},
		{"namespaces", "ns", []api.Object{namespace("x", "Active", time.Hour)}, "namespace/x\n"},
		{"nodes", "nodes", []api.Object{node("n1", time.Hour)}, "node/n1\n"},
		{"events", "events", []api.Object{event("x", "Normal", "Pulled", "Pod", "kubia", "ok", time.Minute, time.Minute, 1)}, "event/x\n"},
		{"nothing", "pods", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustPrint(t, c.kind, c.objs, "name", Options{}); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestOutputYAMLJSON(t *testing.T) {
	pods := kubiaPods()
	cases := []struct {
		name, output, file string
		objs               []api.Object
		single             bool
	}{
		{"one pod as yaml", "yaml", "pod.yaml", pods[:1], true},
		{"pod list as yaml", "yaml", "pods-list.yaml", pods[:2], false},
		{"one pod as json", "json", "pod.json", pods[:1], true},
		{"pod list as json", "json", "pods-list.json", pods[:2], false},
		{"empty list as json", "json", "empty-list.json", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.file, mustPrint(t, "pods", c.objs, c.output, Options{Single: c.single}))
		})
	}
}

// TestListShape pins the parts of kubectl's list output that matter by
// hand, independently of the golden files.
func TestListShape(t *testing.T) {
	got := mustPrint(t, "pods", kubiaPods()[:1], "json", Options{})
	for _, want := range []string{"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n            \"kind\": \"Pod\",",
		"\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("json list lacks %q:\n%s", want, got)
		}
	}
	y := mustPrint(t, "pods", nil, "yaml", Options{})
	if want := "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"; y != want {
		t.Errorf("empty yaml list = %q, want %q", y, want)
	}
}

func TestOutputJSONPath(t *testing.T) {
	pods := kubiaPods()
	file := filepath.Join(t.TempDir(), "tmpl")
	if err := os.WriteFile(file, []byte(`{.items[0].metadata.name}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, output string
		objs         []api.Object
		opts         Options
		want         string
	}{
		{"names of a list", "jsonpath={.items[*].metadata.name}", pods, Options{}, "kubia-manual kubia-gpu crash"},
		{"one object", "jsonpath={.status.phase}", pods[:1], Options{Single: true}, "Running"},
		{"range", `jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}`, pods, Options{},
			"kubia-manual\t10.244.0.5\nkubia-gpu\t\ncrash\t10.244.0.7\n"},
		{"numbers print as integers", "jsonpath={.items[*].status.containerStatuses[*].restartCount}", pods, Options{}, "0 4"},
		{"filter", `jsonpath={.items[?(@.status.phase=="Pending")].metadata.name}`, pods, Options{}, "kubia-gpu"},
		{"missing keys are allowed", "jsonpath={.spec.nope}", pods[:1], Options{Single: true}, ""},
		{"sorted", "jsonpath={.items[*].metadata.name}", pods, Options{SortBy: ".metadata.name"}, "crash kubia-gpu kubia-manual"},
		{"as json", "jsonpath-as-json={.items[*].metadata.name}", pods[:2], Options{}, "[\n    \"kubia-manual\",\n    \"kubia-gpu\"\n]\n"},
		{"from a file", "jsonpath-file=" + file, pods, Options{}, "kubia-manual"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustPrint(t, "pods", c.objs, c.output, c.opts); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestOutputCustomColumns(t *testing.T) {
	pods := kubiaPods()
	spec := "custom-columns=NAME:.metadata.name,RESTARTS:.status.containerStatuses[*].restartCount,NODE:spec.nodeName,IMAGES:{.spec.containers[*].image}"
	golden(t, "custom-columns.txt", mustPrint(t, "pods", pods, spec, Options{}))
	if got, want := mustPrint(t, "pods", nil, "custom-columns=NAME:.metadata.name", Options{}), "NAME\n"; got != want {
		t.Errorf("no objects: got %q, want %q (kubectl prints the header)", got, want)
	}
	if got, want := mustPrint(t, "pods", pods[:1], "custom-columns=NAME:.metadata.name", Options{NoHeaders: true}), "kubia-manual\n"; got != want {
		t.Errorf("--no-headers: got %q, want %q", got, want)
	}
	file := filepath.Join(t.TempDir(), "cols")
	if err := os.WriteFile(file, []byte("NAME      NODE\n.metadata.name   {.spec.nodeName}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := mustPrint(t, "pods", pods[:2], "custom-columns-file="+file, Options{}), "NAME           NODE\nkubia-manual   node1\nkubia-gpu      <none>\n"; got != want {
		t.Errorf("from a file: got %q, want %q", got, want)
	}
}

func TestSortBy(t *testing.T) {
	pods := kubiaPods()
	cases := []struct {
		name, sortBy, output, want string
	}{
		{"table by name", ".metadata.name", "", "crash kubia-gpu kubia-manual"},
		{"table by creation time", "{.metadata.creationTimestamp}", "", "kubia-manual crash kubia-gpu"},
		{"table by restarts, pods without statuses first", ".status.containerStatuses[0].restartCount", "", "kubia-gpu kubia-manual crash"},
		{"names by name", "metadata.name", "name", "pod/crash pod/kubia-gpu pod/kubia-manual"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustPrint(t, "pods", pods, c.output, Options{SortBy: c.sortBy, NoHeaders: true})
			var names []string
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				names = append(names, strings.Fields(line)[0])
			}
			if g := strings.Join(names, " "); g != c.want {
				t.Errorf("order %q, want %q", g, c.want)
			}
		})
	}
}

func TestNaturalLess(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"abc2", "abc12", true}, {"abc12", "abc2", false}, {"a", "b", true}, {"2", "02", true}, {"02", "2", false},
		{"1a", "a", true}, {"kubia-9", "kubia-10", true}, {"x", "x", false}, {"x", "xy", true},
	}
	for _, c := range cases {
		if got := naturalLess(c.a, c.b); got != c.want {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestOutputErrors(t *testing.T) {
	pods := kubiaPods()
	cases := []struct {
		name, output, sortBy, want string
	}{
		{"unknown format", "foo", "", `unable to match a printer suitable for the output format "foo", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`},
		{"yaml with an argument", "yaml=x", "", `unable to match a printer suitable for the output format "yaml=x", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`},
		{"jsonpath without template", "jsonpath", "", "template format specified but no template given"},
		{"bad jsonpath", "jsonpath={.items[*]", "", "error parsing jsonpath {.items[*], unclosed action"},
		{"custom-columns without spec", "custom-columns=", "", "custom-columns format specified but no custom columns given"},
		{"custom-columns bad spec", "custom-columns=NAME", "", "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"},
		{"custom-columns bad path", "custom-columns=NAME:{x}{y}", "", "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"},
		{"sort by a missing field", "", ".spec.nope", `couldn't find any field with path "{.spec.nope}" in the list of objects`},
		{"sort by a map", "", ".metadata", "Field {.metadata} in [][][]reflect.Value is an unsortable type: interface, err: unsortable type: map[string]interface {}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := printObjects(t, "pods", pods, c.output, Options{SortBy: c.sortBy})
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if !errors.Is(err, ErrOutput) {
				t.Errorf("%v is not ErrOutput", err)
			}
		})
	}
}

func TestOutputGoTemplate(t *testing.T) {
	pods := kubiaPods()
	file := filepath.Join(t.TempDir(), "tmpl")
	if err := os.WriteFile(file, []byte(`{{.metadata.name}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, output string
		objs         []api.Object
		opts         Options
		want         string
	}{
		{"range over a list", `go-template={{range .items}}{{.metadata.name}} {{end}}`, pods, Options{}, "kubia-manual kubia-gpu crash "},
		{"one object", `template={{.status.podIP}}`, pods[:1], Options{Single: true}, "10.244.0.5"},
		{"numbers are floats to templates", `go-template={{range .items}}{{range .status.containerStatuses}}{{.restartCount}}{{end}}{{end}}`, pods, Options{}, "04"},
		{"missing key", `go-template={{.spec.nope}}`, pods[:1], Options{Single: true}, "<no value>"},
		{"exists", `go-template={{if exists . "status" "podIP"}}yes{{else}}no{{end}}`, pods[1:2], Options{Single: true}, "no"},
		{"base64decode", `go-template={{base64decode "aGVsbG8="}}`, pods[:1], Options{Single: true}, "hello"},
		{"from a file", "go-template-file=" + file, pods[:1], Options{Single: true}, "kubia-manual"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustPrint(t, "pods", c.objs, c.output, c.opts); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	_, err := printObjects(t, "pods", pods, "go-template={{.x", Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "error parsing template {{.x, template: output:1: ") {
		t.Errorf("bad template: %v", err)
	}
	out, err := printObjects(t, "pods", pods[:1], `go-template={{index .metadata.labels "x" 1}}`, Options{Single: true})
	if err == nil || !strings.HasPrefix(err.Error(), `error executing template "{{index .metadata.labels \"x\" 1}}": `) ||
		!strings.HasPrefix(out, "Error executing template: ") {
		t.Errorf("failing template: %v, output %q", err, out)
	}
	if _, err := printObjects(t, "pods", pods, "yaml", Options{ShowLabels: true}); err == nil || err.Error() != "--show-labels option cannot be used with yaml printer" {
		t.Errorf("--show-labels -o yaml: %v", err)
	}
}
