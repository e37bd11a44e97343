package bindings

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// TestFromLuaMatchesJSON: whenever the direct decoder accepts a table, the
// JSON path accepts it too and makes the same object; whatever the JSON
// path refuses, the direct decoder refuses (so the error comes from there).
func TestFromLuaMatchesJSON(t *testing.T) {
	cases := []struct {
		name, kind, table string
		fast              bool // the direct decoder is expected to take it
	}{
		{"shorthand-like pod", "Pod", `{apiVersion="v1", kind="Pod", metadata={name="web", labels={app="web"}},
			spec={containers={{name="web", image="busybox", command={"sh", "-c", "x"}}}}}`, true},
		{"no type meta", "Pod", `{metadata={name="web"}, spec={containers={{name="c", image="i"}}}}`, true},
		{"numbers and pointers", "Pod", `{metadata={name="p", generation=2}, spec={terminationGracePeriodSeconds=30,
			containers={{name="c", image="i", ports={{containerPort=8080, protocol="TCP"}}}}}}`, true},
		{"quantities", "Pod", `{metadata={name="p"}, spec={containers={{name="c", image="i",
			resources={requests={cpu="100m", memory=67108864}, limits={cpu=1}}}}}}`, true},
		{"times", "Pod", `{metadata={name="p", creationTimestamp="2026-07-23T07:07:48Z"}, status={phase="Running",
			startTime="2026-07-23T07:07:48Z", conditions={{type="Ready", status="True", lastTransitionTime="2026-07-23T07:07:48Z"}}}}`, true},
		{"empty tables are null", "Pod", `{metadata={name="p", labels={}}, spec={containers={{name="c", image="i", env={}}}, nodeSelector={}}}`, true},
		{"env list", "Pod", `{metadata={name="p"}, spec={containers={{name="c", image="i", env={{name="A", value="1"}, {name="B"}}}}}}`, true},
		{"rc with template", "ReplicationController", `{metadata={name="rc"}, spec={replicas=3, selector={app="x"},
			template={metadata={labels={app="x"}}, spec={containers={{name="c", image="i"}}}}}}`, true},
		{"node", "Node", `{metadata={name="n"}, spec={unschedulable=true, taints={{key="k", effect="NoSchedule"}}},
			status={capacity={pods="110", cpu=4}}}`, true},
		{"unknown field", "Pod", `{metadata={name="p"}, spec={containers={{name="c", imgae="i"}}}}`, false},
		{"other case", "Pod", `{metadata={Name="p"}}`, false},
		{"fractional int", "Pod", `{metadata={name="p"}, spec={terminationGracePeriodSeconds=1.5}}`, false},
		{"int32 overflow", "Pod", `{metadata={name="p"}, spec={containers={{name="c", ports={{containerPort=4294967296}}}}}}`, false},
		{"string for int", "Pod", `{metadata={name="p"}, spec={terminationGracePeriodSeconds="30"}}`, false},
		{"number for string", "Pod", `{metadata={name=5}}`, false},
		{"bool for string", "Pod", `{metadata={name=true}}`, false},
		{"list for map", "Pod", `{metadata={name="p", labels={"a"}}}`, false},
		{"map for list", "Pod", `{metadata={name="p"}, spec={containers={name="c"}}}`, false},
		{"mixed table", "Pod", `{metadata={name="p", labels={"a", b="c"}}}`, false},
		{"list with holes", "Pod", `{metadata={name="p", finalizers={"a", nil, "c"}}}`, false},
		{"bad time", "Pod", `{metadata={name="p", creationTimestamp="yesterday"}}`, false},
		{"bad quantity", "Pod", `{metadata={name="p"}, spec={containers={{name="c", resources={limits={cpu="lots"}}}}}}`, false},
		{"other kind", "Pod", `{kind="Node", metadata={name="p"}}`, false},
		{"other version", "Pod", `{apiVersion="apps/v1", metadata={name="p"}}`, false},
		{"invalid utf-8", "Pod", `{metadata={name="p\255"}}`, false},
		{"function value", "Pod", `{metadata={name=print}}`, false},
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.DoString(context.Background(), "t = "+c.table, "case.lua"); err != nil {
				t.Fatal(err)
			}
			tbl := s.L.GetGlobal("t").(*lua.LTable)
			k, _ := api.KindFor(c.kind)
			fast := k.New()
			fastOK := s.conv.fromLua(reflect.ValueOf(fast).Elem(), tbl, 0) && settleTypeMeta(fast, k)
			if fastOK != c.fast {
				t.Errorf("direct decoder took it: %v, want %v", fastOK, c.fast)
			}
			var slow api.Object
			data, err := encodeJSON(tbl, jsonOptions{emptyAsNull: true})
			if err == nil {
				slow, err = decodeKind(data, k)
			}
			if !fastOK {
				return
			}
			if err != nil {
				t.Fatalf("direct decoder took what the JSON path refuses: %v", err)
			}
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(slow)
			if string(a) != string(b) {
				t.Errorf("direct:\n%s\njson:\n%s", a, b)
			}
		})
	}
}

// TestShorthandPod: the direct shorthand decoder makes what the manifest
// of podShorthand decodes to, and leaves what it cannot take to that path.
func TestShorthandPod(t *testing.T) {
	cases := []struct {
		name, table string
		fast        bool
	}{
		{"minimal", `{name="web", image="busybox"}`, true},
		{"everything", `{name="web", image="busybox", command="sh -c x", args={"a", "b"}, env={B="2", A=1},
			ports={8080, {containerPort=8443, protocol="TCP"}}, labels={app="web"}, annotations={["a/b"]="c"},
			namespace="ns", nodeSelector={gpu="true"}, resources={limits={cpu="1", memory=1048576}}, restartPolicy="Never"}`, true},
		{"single port", `{name="web", image="i", ports=80}`, true},
		{"env list", `{name="web", image="i", env={{name="A", value="1"}}}`, true},
		{"empty labels", `{name="web", image="i", labels={}}`, true},
		{"number name", `{name=5, image="i"}`, false},
		{"bad resources", `{name="web", image="i", resources={limits={cpu="lots"}}}`, false},
		{"bad env item", `{name="web", image="i", env={{nmae="A"}}}`, false},
		{"fractional port", `{name="web", image="i", ports=80.5}`, false},
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.DoString(context.Background(), "t = "+c.table, "case.lua"); err != nil {
				t.Fatal(err)
			}
			tbl := s.L.GetGlobal("t").(*lua.LTable)
			fast, ok := s.shorthandPod(s.L, tbl)
			if ok != c.fast {
				t.Fatalf("direct decoder took it: %v, want %v", ok, c.fast)
			}
			data, err := encodeJSON(s.podShorthand(s.L, tbl), jsonOptions{emptyAsNull: true})
			var slow api.Object
			if err == nil {
				slow, err = decodeKind(data, podKind)
			}
			if !ok {
				return
			}
			if err != nil {
				t.Fatalf("direct decoder took what the manifest path refuses: %v", err)
			}
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(slow)
			if string(a) != string(b) {
				t.Errorf("direct:\n%s\nmanifest:\n%s", a, b)
			}
		})
	}
}
