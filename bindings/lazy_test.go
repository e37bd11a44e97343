package bindings

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestLazyTables checks that an object table filled on demand behaves
// as the plain table it stands for, whatever Lua does first.
func TestLazyTables(t *testing.T) {
	cases := []struct {
		name, chunk string
	}{
		{"pairs lists every field", `
			local keys = {}
			for k in pairs(p) do keys[#keys + 1] = k end
			table.sort(keys)
			assert(table.concat(keys, ",") == "apiVersion,kind,metadata,spec,status", table.concat(keys, ","))`},
		{"pairs after one field", `
			assert(p.metadata.name == "web")
			local n = 0
			for k, v in pairs(p) do n = n + 1 end
			assert(n == 5, n)
			assert(p.status.phase == "Running")`},
		{"next from the start", `
			local seen = {}
			local k, v = next(p)
			while k do seen[k] = v; k, v = next(p, k) end
			assert(seen.spec.containers[1].image == "busybox")
			assert(seen.kind == "Pod" and seen.apiVersion == "v1")`},
		{"rawget", `assert(rawget(p, "spec").restartPolicy == "Always")`},
		{"setting a pending field wins", `
			p.status = nil
			p.spec = {x = 1}
			assert(p.status == nil)
			assert(p.spec.x == 1)
			local n = 0
			for _ in pairs(p) do n = n + 1 end
			assert(n == 4, n)`},
		{"setting other keys", `
			p.extra = 1
			assert(p.extra == 1 and rawget(p, "extra") == 1)
			assert(p.metadata.labels.app == "web")`},
		{"setmetatable keeps the fields", `
			setmetatable(p, nil)
			assert(p.metadata.name == "web" and p.delete == nil)`},
		{"methods", `assert(type(p.delete) == "function" and type(p.yaml) == "function")`},
		{"tostring and equality", `
			assert(tostring(p) == "pod/default/web (Running)", tostring(p))
			assert(p == q)
			assert(q.metadata.uid == "u-1")
			assert(p == q)`},
		{"yaml", `assert(p:yaml():find("image: busybox", 1, true))`},
		{"json round trip", `
			local j = json.decode(json.encode(p))
			assert(j.spec.containers[1].resources.requests.cpu == "100m")
			assert(j.metadata.ownerReferences[1].controller == true)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			p := s.push(s.L, samplePod())
			if lazyOf(p) == nil {
				t.Fatal("push made a plain table")
			}
			s.L.SetGlobal("p", p)
			s.L.SetGlobal("q", s.push(s.L, samplePod()))
			if err := s.DoString(context.Background(), c.chunk, "lazy.lua"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLazyMatchesEager: a lazy table, once walked from Go, holds exactly
// what the eager walker makes, for every kind.
func TestLazyMatchesEager(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, obj := range walkerCases() {
		t.Run(reflect.TypeOf(obj).Elem().Name(), func(t *testing.T) {
			lazy := s.push(s.L, obj)
			Expand(lazy)
			if lazyOf(lazy) != nil {
				t.Fatal("Expand left fields pending")
			}
			eager := s.conv.structValue(s.L, reflect.ValueOf(obj).Elem())
			eager.RawSetString("apiVersion", lua.LString("v1"))
			k := s.kindOf[reflect.TypeOf(obj)]
			eager.RawSetString("kind", lua.LString(k.Kind))
			a, err := encodeJSON(lazy, jsonOptions{sortKeys: true})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := encodeJSON(eager, jsonOptions{sortKeys: true})
			if string(a) != string(b) {
				t.Errorf("lazy:\n%s\neager:\n%s", a, b)
			}
		})
	}
}

// TestPristine: an untouched table decodes to its own object without
// JSON; a table Lua has read or changed goes through the decoder.
func TestPristine(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := samplePod()
	untouched := s.push(s.L, p)
	if pristine(untouched) == nil {
		t.Fatal("fresh table is not pristine")
	}
	read := s.push(s.L, p)
	s.L.SetGlobal("r", read)
	if err := s.DoString(context.Background(), `r.metadata.labels.app = "changed"`, "x.lua"); err != nil {
		t.Fatal(err)
	}
	if pristine(read) != nil {
		t.Fatal("a table Lua changed is still pristine")
	}
	for name, tbl := range map[string]*lua.LTable{"untouched": untouched, "read": read} {
		got := s.toObject(s.L, tbl, podKind, "test")
		if got == p {
			t.Errorf("%s: toObject returned the pushed object itself, not a copy", name)
		}
		a, _ := json.Marshal(got)
		want := samplePod()
		if name == "read" {
			want.Labels["app"] = "changed"
		}
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			t.Errorf("%s:\n%s\nwant\n%s", name, a, b)
		}
	}
}
