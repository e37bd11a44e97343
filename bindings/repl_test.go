package bindings

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestIncomplete(t *testing.T) {
	s, _ := newTestState(t, Options{})
	cases := []struct {
		src  string
		want bool
	}{
		{"1 + 1", false},
		{"for i = 1, 2 do", true},
		{"for i = 1, 2 do\nprint(i) end", false},
		{"x = {", true},
		{"print('a'", true},
		{"s = [[long", true},
		{"x = = 1", false}, // a syntax error, not an unfinished chunk
		{"function f()\nreturn 1", true},
	}
	for _, c := range cases {
		if got := s.Incomplete(c.src); got != c.want {
			t.Errorf("Incomplete(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}

func TestEval(t *testing.T) {
	s, _ := newTestState(t, Options{})
	ctx := context.Background()
	cases := []struct {
		name, src, want string
	}{
		{"expression", "1 + 1", "2"},
		{"several values", "1, 'a', nil", "1\ta\tnil"},
		{"statement", "x = 5", ""},
		{"underscore", "_", "1"},
		{"global", "x * 2", "10"},
		{"table sorted", "{b = 1, a = 2, 10, 'z'}", "{\n  10,\n  \"z\",\n  a = 2,\n  b = 1,\n}"},
		{"nested", "{a = {b = {}}}", "{\n  a = {\n    b = {},\n  },\n}"},
		{"object summary", "pod.create{name='web', image='busybox'}", "pod/default/web (Pending)"},
		{"selector", "selector.parse('b,a')", "a,b"},
		{"depth limit", "{a={b={c={d={e={}}}}}}", "{\n  a = {\n    b = {\n      c = {\n        d = {...},\n      },\n    },\n  },\n}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Eval(ctx, c.src)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Eval(%q) = %q, want %q", c.src, got, c.want)
			}
		})
	}
	if _, err := s.Eval(ctx, "pod.delete('ghost')"); err == nil || err.Error() != `stdin:1: pods "ghost" not found` {
		t.Errorf("error: %v", err)
	}
	if _, err := s.Eval(ctx, "x = = 1"); err == nil || !strings.Contains(err.Error(), "stdin") {
		t.Errorf("syntax error: %v", err)
	}
	cyc, err := s.Eval(ctx, "local t = {} t.self = t return t")
	if err != nil || cyc != "{\n  self = {...},\n}" {
		t.Errorf("cycle: %q %v", cyc, err)
	}
}

func TestComplete(t *testing.T) {
	s, _ := newTestState(t, Options{})
	ctx := context.Background()
	if _, err := s.Eval(ctx, "p = pod.create{name='kubia-manual', image='busybox'} pod.create{name='kubia-v2', image='busybox'}"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line       string
		want       []string
		wantPrefix string
	}{
		{"pod.cr", []string{"create"}, "cr"},
		{"x = names", []string{"namespace"}, "names"},
		{"label.", []string{"get", "remove", "set"}, ""},
		{"p.metadata.na", []string{"name", "namespace"}, "na"},
		{"p:ya", []string{"yaml"}, "ya"},
		{"p:re", []string{"refresh"}, "re"},
		{`pod.get("ku`, []string{"kubia-manual", "kubia-v2"}, "ku"},
		{`label.set("kubia-m`, []string{"kubia-manual"}, "kubia-m"},
		{`namespace.use("kube-s`, []string{"kube-system"}, "kube-s"},
		{"nosuch.x", nil, ""},
		{"1 + ", nil, ""},
	}
	for _, c := range cases {
		got, prefix := s.Complete(ctx, c.line)
		if !reflect.DeepEqual(got, c.want) || prefix != c.wantPrefix {
			t.Errorf("Complete(%q) = %q, %q; want %q, %q", c.line, got, prefix, c.want, c.wantPrefix)
		}
	}
}
