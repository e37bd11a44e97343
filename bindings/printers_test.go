package bindings

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/minspace/min/engine/cluster"
	"github.com/minspace/min/engine/enginetest"
)

// TestPrintersModule drives require("min.printers") the way stdlib's
// kubectl verbs do: handles, printing, error tables with causes, labels.
func TestPrintersModule(t *testing.T) {
	e := enginetest.InProcess(t)
	t.Setenv("MIN_NOW", "2030-01-01T00:00:00Z")
	tests := []struct {
		name, chunk, want string
	}{
		{"empty list", `local h = P.list("pods", "default"); print(P.count(h), P.no_resources("default", false))`,
			"0\tNo resources found in default namespace.\n"},
		{"create and print name", `
			local r = P.apply("apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: x}}\nspec: {containers: [{name: c, image: busybox}]}\n", "f.yaml", "default", false)
			print(r[1].kind, r[1].name, r[1].op)
			print(P.print("pods", P.list("pods", "default", "app=x"), "name", {}))`,
			"Pod\tweb\tcreated\npod/web\n\n"},
		{"table from object tables", `
			print(P.print("pods", {pod.get("web")}, "custom-columns=N:.metadata.name", {}))`,
			"N\nweb\n\n"},
		{"not found", `local h, e = P.fetch("pods", "default", "nope"); print(h, e.reason, e.message)`,
			"nil\tNotFound\tpods \"nope\" not found\n"},
		{"invalid causes", `
			local r = P.apply("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {restartPolicy: Sometimes, containers: [{name: c}]}\n", "f.yaml", "default", false)
			local e = r[1].err
			print(e.reason, e.kind, e.name, #e.causes, e.causes[1].field)`,
			"Invalid\tPod\tx\t2\tspec.containers[0].image\n"},
		{"label outcome", `
			print(P.meta("label", "pods", "default", "web", {env = "prod"}, {"gone"}, false))
			local ok, e = P.meta("label", "pods", "default", "web", {env = "dev"}, {}, false)
			print(ok, e.message)`,
			"true\ttable: \nnil\t'env' already has a value (prod), and --overwrite is false\n"},
		{"bad output", `local s, e = P.print("pods", P.list("pods", ""), "bogus", {}); print(s, e.reason)`,
			"nil\t\n"},
		{"clock", `print(P.now())`, "2030-01-01T00:00:00Z\n"},
	}
	var out bytes.Buffer
	s, err := New(Options{Stdout: &out, Engine: func(context.Context) (cluster.Interface, error) { return e, nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			if err := s.DoString(context.Background(), `local P = require("min.printers")`+"\n"+tc.chunk, tc.name); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if strings.Contains(tc.want, "table: ") { // table addresses vary
				got = tableAddr.ReplaceAllString(got, "table: ")
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

var tableAddr = regexp.MustCompile(`table: 0x[0-9a-f]+`)
