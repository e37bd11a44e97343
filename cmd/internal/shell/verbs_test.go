package shell

import "testing"

func TestNeedsEngine(t *testing.T) {
	cases := []struct {
		args []string
		want bool
	}{
		{[]string{"get", "pods"}, true},
		{[]string{"delete", "pod", "web"}, true},
		{[]string{"help"}, false},
		{[]string{"config", "view"}, false},
		{[]string{"get", "pods", "--help"}, false},
		{[]string{"label", "-h"}, false},
		{[]string{"exec", "web", "--", "sh", "--help"}, true}, // the container's --help
	}
	for _, c := range cases {
		if got := needsEngine(c.args); got != c.want {
			t.Errorf("needsEngine(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
