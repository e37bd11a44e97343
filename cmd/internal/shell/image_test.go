package shell

import "testing"

func TestHumanSize(t *testing.T) {
	cases := []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0B"},
		{"bytes", 999, "999B"},
		{"one kB", 1000, "1kB"},
		{"three digits", 12345, "12.3kB"},
		{"busybox", 1464320, "1.46MB"},
		{"rounds up to the next unit", 999999, "1MB"},
		{"just below", 999499, "999kB"},
		{"GB", 4_200_000_000, "4.2GB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := humanSize(c.n); got != c.want {
				t.Errorf("humanSize(%d) = %q, want %q", c.n, got, c.want)
			}
		})
	}
}

func TestSplitTag(t *testing.T) {
	cases := []struct{ name, in, repo, tag string }{
		{"familiar", "busybox:latest", "busybox", "latest"},
		{"registry with a port", "127.0.0.1:5000/app:v1", "127.0.0.1:5000/app", "v1"},
		{"registry port, no tag", "127.0.0.1:5000/app", "127.0.0.1:5000/app", "<none>"},
		{"digest", "busybox@sha256:abc", "busybox", "<none>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo, tag := splitTag(c.in)
			if repo != c.repo || tag != c.tag {
				t.Errorf("splitTag(%q) = %q, %q; want %q, %q", c.in, repo, tag, c.repo, c.tag)
			}
		})
	}
}
