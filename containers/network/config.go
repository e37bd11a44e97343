package network

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
)

// Defaults used for the zero value of Options.
const (
	DefaultBridge      = "min0"
	DefaultClusterCIDR = "10.244.0.0/16"
	// DefaultStateDir is on tmpfs on purpose: allocations describe veths and network
	// namespaces, which do not survive a reboot either.
	DefaultStateDir = "/run/min/network"
)

// Options configures a Manager. The zero value is Min's default network.
type Options struct {
	// Bridge is the name of the node bridge ("min0").
	Bridge string
	// ClusterCIDR is the IPv4 range of every pod of every node ("10.244.0.0/16"). The
	// host takes its first address on the bridge.
	ClusterCIDR string
	// StateDir holds the IPAM files (DefaultStateDir). Every Manager of one bridge
	// should share it: Managers with separate StateDirs allocate independently and
	// need disjoint node CIDRs.
	StateDir string
	// KeepBridge keeps the bridge when the last pod goes; by default it is removed
	// then and made again by the next Setup, so an idle Min leaves no interface.
	KeepBridge bool
}

// config is Options validated and parsed.
type config struct {
	bridge     string
	cluster    netip.Prefix // masked
	gateway    netip.Addr   // the host's address on the bridge
	node       netip.Prefix // the node CIDR used when Setup gets ""
	stateDir   string
	keepBridge bool
}

func (o Options) config() (config, error) {
	c := config{bridge: o.Bridge, stateDir: o.StateDir, keepBridge: o.KeepBridge}
	if c.bridge == "" {
		c.bridge = DefaultBridge
	}
	if c.stateDir == "" {
		c.stateDir = DefaultStateDir
	}
	cidr := o.ClusterCIDR
	if cidr == "" {
		cidr = DefaultClusterCIDR
	}
	if err := checkLinkName(c.bridge); err != nil {
		return config{}, fmt.Errorf("bridge: %w", err)
	}
	if strings.HasPrefix(c.bridge, vethPrefix) && len(c.bridge) == len(vethPrefix)+vethHashLen {
		return config{}, fmt.Errorf("bridge %q looks like a pod veth name: %w", c.bridge, ErrInvalid)
	}
	p, err := parseCluster(cidr)
	if err != nil {
		return config{}, err
	}
	c.cluster, c.gateway = p, p.Addr().Next()
	c.node = p
	if p.Bits() < 24 {
		c.node = netip.PrefixFrom(p.Addr(), 24)
	}
	return c, nil
}

// parseCluster accepts only IPv4 unicast ranges that leave room for pods; loopback,
// link-local and multicast ranges would break the host, not just the pods.
func parseCluster(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("cluster CIDR %q: %w", s, ErrInvalid)
	}
	a := p.Addr()
	switch {
	case !a.Is4():
		return netip.Prefix{}, fmt.Errorf("cluster CIDR %q: only IPv4 is supported: %w", s, ErrInvalid)
	case p.Bits() < 8 || p.Bits() > 30:
		return netip.Prefix{}, fmt.Errorf("cluster CIDR %q: prefix length must be 8..30: %w", s, ErrInvalid)
	case a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsUnspecified():
		return netip.Prefix{}, fmt.Errorf("cluster CIDR %q: not a unicast range: %w", s, ErrInvalid)
	case p.Masked() != p:
		return netip.Prefix{}, fmt.Errorf("cluster CIDR %q: host bits set (want %s): %w", s, p.Masked(), ErrInvalid)
	}
	return p, nil
}

// nodePrefix parses a node's pod CIDR; "" is the default node's. It must lie inside the
// cluster CIDR, because the bridge and every pod route only the cluster CIDR.
func (c config) nodePrefix(s string) (netip.Prefix, error) {
	if s == "" {
		return c.node, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("node CIDR %q: not an IPv4 CIDR: %w", s, ErrInvalid)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("node CIDR %q: host bits set (want %s): %w", s, p.Masked(), ErrInvalid)
	}
	if p.Bits() < c.cluster.Bits() || p.Bits() > 30 || !c.cluster.Contains(p.Addr()) {
		return netip.Prefix{}, fmt.Errorf("node CIDR %q: not a /%d../30 inside the cluster CIDR %s: %w",
			s, c.cluster.Bits(), c.cluster, ErrInvalid)
	}
	return p, nil
}

const (
	vethPrefix  = "min"
	vethHashLen = 11 // "min" + 11 = 14 characters, under IFNAMSIZ-1
)

// hostVeth names a pod's host-side veth and gives the alias it carries. The bridge is
// part of the hash so that two Managers (a real Min and a test) never fight over one
// name. A name keeps only 44 bits of the hash, so the alias keeps all of it: Setup and
// Teardown touch an existing veth only when its alias says it is this pod's.
func (c config) hostVeth(podID string) (name, alias string) {
	sum := sha256.Sum256([]byte(c.bridge + "\x00" + podID))
	h := hex.EncodeToString(sum[:])
	return vethPrefix + h[:vethHashLen], "min pod " + h
}

// checkLinkName applies the kernel's rules for interface names (dev_valid_name).
func checkLinkName(name string) error {
	if name == "" || len(name) > 15 || name == "." || name == ".." ||
		strings.ContainsAny(name, "/: \t\n") {
		return fmt.Errorf("%q is not a valid interface name: %w", name, ErrInvalid)
	}
	return nil
}

func checkPodID(podID string) error {
	if podID == "" || strings.ContainsRune(podID, 0) {
		return fmt.Errorf("pod ID %q: %w", podID, ErrInvalid)
	}
	return nil
}
