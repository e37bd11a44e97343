package network

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestOptionsConfig(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		bridge  string
		cluster string
		gateway string
		node    string
		err     error
	}{
		{name: "zero value is Min's default", bridge: "min0", cluster: "10.244.0.0/16", gateway: "10.244.0.1", node: "10.244.0.0/24"},
		{name: "small cluster is its own node CIDR", opts: Options{Bridge: "mt0", ClusterCIDR: "10.250.7.0/24"},
			bridge: "mt0", cluster: "10.250.7.0/24", gateway: "10.250.7.1", node: "10.250.7.0/24"},
		{name: "bridge name too long", opts: Options{Bridge: "a-very-long-bridge"}, err: ErrInvalid},
		{name: "bridge name with slash", opts: Options{Bridge: "a/b"}, err: ErrInvalid},
		{name: "bridge named like a veth", opts: Options{Bridge: "min0123456789a"}, err: ErrInvalid},
		{name: "IPv6", opts: Options{ClusterCIDR: "fd00::/64"}, err: ErrInvalid},
		{name: "not a CIDR", opts: Options{ClusterCIDR: "10.244.0.0"}, err: ErrInvalid},
		{name: "host bits", opts: Options{ClusterCIDR: "10.244.0.1/16"}, err: ErrInvalid},
		{name: "too small", opts: Options{ClusterCIDR: "10.244.0.0/31"}, err: ErrInvalid},
		{name: "too large", opts: Options{ClusterCIDR: "10.0.0.0/7"}, err: ErrInvalid},
		{name: "loopback", opts: Options{ClusterCIDR: "127.0.0.0/8"}, err: ErrInvalid},
		{name: "link-local", opts: Options{ClusterCIDR: "169.254.0.0/16"}, err: ErrInvalid},
		{name: "multicast", opts: Options{ClusterCIDR: "224.0.0.0/8"}, err: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.opts.config()
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("config() error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{c.bridge, c.cluster.String(), c.gateway.String(), c.node.String()}
			want := []string{tt.bridge, tt.cluster, tt.gateway, tt.node}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("config() = %v, want %v", got, want)
			}
		})
	}
}

func TestNodePrefix(t *testing.T) {
	c, err := Options{}.config()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, want string
	}{
		{name: "empty is the default node", in: "", want: "10.244.0.0/24"},
		{name: "another node", in: "10.244.1.0/24", want: "10.244.1.0/24"},
		{name: "whole cluster", in: "10.244.0.0/16", want: "10.244.0.0/16"},
		{name: "outside the cluster", in: "10.245.1.0/24"},
		{name: "larger than the cluster", in: "10.0.0.0/8"},
		{name: "host bits", in: "10.244.1.5/24"},
		{name: "too small", in: "10.244.1.0/31"},
		{name: "IPv6", in: "fd00::/120"},
		{name: "garbage", in: "node-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.nodePrefix(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("nodePrefix(%q) = %v, %v; want ErrInvalid", tt.in, p, err)
				}
				return
			}
			if err != nil || p != netip.MustParsePrefix(tt.want) {
				t.Fatalf("nodePrefix(%q) = %v, %v; want %s", tt.in, p, err, tt.want)
			}
		})
	}
}

func TestHostVeth(t *testing.T) {
	a := config{bridge: "min0"}
	b := config{bridge: "mt1"}
	names := map[string]bool{}
	for _, c := range []config{a, b} {
		for _, pod := range []string{"p1", "p2", "default/web"} {
			n, alias := c.hostVeth(pod)
			if len(n) > 15 || !strings.HasPrefix(n, vethPrefix) || checkLinkName(n) != nil {
				t.Errorf("hostVeth(%q) = %q: not a valid Min veth name", pod, n)
			}
			if n2, alias2 := c.hostVeth(pod); n2 != n || alias2 != alias {
				t.Errorf("hostVeth(%q) is not deterministic", pod)
			}
			if !strings.HasPrefix(alias, "min pod ") || !strings.Contains(alias, n[len(vethPrefix):]) {
				t.Errorf("hostVeth(%q) alias = %q, want the full hash", pod, alias)
			}
			names[n] = true
		}
	}
	if len(names) != 6 {
		t.Errorf("hostVeth collides across pods or bridges: %v", names)
	}
}
