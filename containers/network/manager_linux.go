package network

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// podIface is the pod side of the veth, as Kubernetes users expect.
const podIface = "eth0"

// Manager sets up pod networks on one bridge. It holds no mutable state: every method
// is safe for concurrent use, also by several processes sharing the StateDir.
type Manager struct {
	cfg  config
	ipam *ipam
}

// New validates opts and checks the host: it fails with ErrConflict, touching
// nothing, when the host already routes part of the cluster CIDR through another
// interface or the bridge name is taken by something that is not Min's bridge. The
// bridge itself is made by the first Setup (up, with the gateway address: the first
// address of the cluster CIDR, with the cluster's prefix length) and, unless
// Options.KeepBridge, removed by the Teardown of the last pod, so that no interface
// of Min's exists while it runs no pod. A bridge that exists already is brought up.
func New(opts Options) (*Manager, error) {
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	a, err := newIPAM(cfg.stateDir, cfg.bridge)
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, ipam: a}
	_, err = m.bridgeLink()
	switch {
	case errors.Is(err, ErrNotFound):
		err = m.checkOverlap(0)
	case err == nil:
		err = m.ensureBridge()
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Bridge is the bridge's name.
func (m *Manager) Bridge() string { return m.cfg.bridge }

// Gateway is the host's address on the bridge: how pods reach the host.
func (m *Manager) Gateway() net.IP { return net.IP(m.cfg.gateway.AsSlice()) }

// ClusterCIDR is the range routed to the bridge.
func (m *Manager) ClusterCIDR() *net.IPNet { return ipNet(m.cfg.cluster) }

func (m *Manager) ensureBridge() error {
	br, err := m.bridgeLink()
	if errors.Is(err, ErrNotFound) {
		if err := m.checkOverlap(0); err != nil {
			return err
		}
		br, err = m.createBridge()
	}
	if err != nil {
		return err
	}
	if err := m.checkOverlap(br.Attrs().Index); err != nil {
		return err
	}
	if err := m.ensureGateway(br); err != nil {
		return err
	}
	if !isUp(br) {
		if err := netlink.LinkSetUp(br); err != nil {
			return fmt.Errorf("bridge %s: set up: %w", m.cfg.bridge, err)
		}
	}
	return nil
}

// bridgeLink finds the bridge; a link of that name that is not a bridge is a conflict.
func (m *Manager) bridgeLink() (netlink.Link, error) {
	l, err := netlink.LinkByName(m.cfg.bridge)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("bridge %s: %w", m.cfg.bridge, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("bridge %s: %w", m.cfg.bridge, err)
	}
	if l.Type() != "bridge" {
		return nil, fmt.Errorf("bridge %s: the host has a %s link of that name: %w", m.cfg.bridge, l.Type(), ErrConflict)
	}
	return l, nil
}

// createBridge creates the bridge with a fixed MAC address: a bridge without one takes
// the lowest MAC of its ports and changes it as pods come and go, which breaks the
// pods' ARP caches for the gateway. Another process may win the race to create it.
func (m *Manager) createBridge() (netlink.Link, error) {
	sum := sha256.Sum256([]byte("min bridge " + m.cfg.bridge))
	mac := net.HardwareAddr{0x02, sum[0], sum[1], sum[2], sum[3], sum[4]} // local, unicast
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: m.cfg.bridge, HardwareAddr: mac, Flags: net.FlagUp}}
	err := netlink.LinkAdd(br)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("bridge %s: create: %w", m.cfg.bridge, err)
	}
	return m.bridgeLink()
}

// checkOverlap refuses a cluster CIDR that overlaps a route of another link (default
// routes aside): adding the bridge's route would hijack part of the host's traffic.
func (m *Manager) checkOverlap(bridgeIndex int) error {
	routes, err := netlink.RouteList(nil, unix.AF_INET)
	if err != nil {
		return fmt.Errorf("list host routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst == nil || r.LinkIndex == bridgeIndex && bridgeIndex != 0 {
			continue
		}
		dst, ok := prefixOf(r.Dst)
		if !ok || dst.Bits() == 0 || !dst.Overlaps(m.cfg.cluster) {
			continue
		}
		return fmt.Errorf("cluster CIDR %s overlaps the host route %s (link %d): %w",
			m.cfg.cluster, dst, r.LinkIndex, ErrConflict)
	}
	return nil
}

// ensureGateway gives the bridge the gateway address, and refuses a bridge that has
// other IPv4 addresses (another configuration of the same name).
func (m *Manager) ensureGateway(br netlink.Link) error {
	want := netip.PrefixFrom(m.cfg.gateway, m.cfg.cluster.Bits())
	addrs, err := netlink.AddrList(br, unix.AF_INET)
	if err != nil {
		return fmt.Errorf("bridge %s: %w", m.cfg.bridge, err)
	}
	for _, a := range addrs {
		if p, ok := prefixOf(a.IPNet); ok && p != want {
			return fmt.Errorf("bridge %s has address %s, want %s: %w", m.cfg.bridge, p, want, ErrConflict)
		}
	}
	if len(addrs) > 0 {
		return nil
	}
	err = netlink.AddrAdd(br, &netlink.Addr{IPNet: ipNet(want)})
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("bridge %s: add %s: %w", m.cfg.bridge, want, err)
	}
	return nil
}

// Setup gives the network namespace at netnsPath an eth0 on the bridge with an address
// from nodeCIDR ("" = the default node's CIDR: the first /24 of the cluster CIDR), brings
// lo and eth0 up and returns the address. The pod's only route is the cluster CIDR on
// eth0. Calling it again for the same pod rebuilds the veth and keeps the address.
func (m *Manager) Setup(podID, netnsPath, nodeCIDR string) (net.IP, error) {
	if err := checkPodID(podID); err != nil {
		return nil, err
	}
	node, err := m.cfg.nodePrefix(nodeCIDR)
	if err != nil {
		return nil, err
	}
	ns, err := openNetNS(netnsPath)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	ip, fresh, err := m.ipam.allocate(podID, node, m.cfg.gateway)
	if err != nil {
		return nil, err
	}
	if err := m.plumb(podID, ns, ip); err != nil {
		if fresh {
			err = errors.Join(err, m.release(podID))
		}
		return nil, fmt.Errorf("pod %s: %w", podID, err)
	}
	return net.IP(ip.AsSlice()), nil
}

// plumb creates the veth with its pod end directly inside the namespace (no temporary
// name on the host), configures that end from inside, and waits for the kernel to
// make the new links usable. The bridge is looked up by index only: whoever made it
// (ensureBridge, here or in another process) checked that the name is a bridge.
func (m *Manager) plumb(podID string, ns netns.NsHandle, ip netip.Addr) error {
	br, err := ifIndex(m.cfg.bridge)
	if errors.Is(err, ErrNotFound) { // the first pod, or the first since the last left
		if err = m.ensureBridge(); err == nil {
			br, err = ifIndex(m.cfg.bridge)
		}
	}
	if err != nil {
		return err
	}
	name, alias := m.cfg.hostVeth(podID)
	err = addPodVeth(name, alias, br, ns, ip)
	if errors.Is(err, unix.EEXIST) {
		err = m.replaceVeth(name, alias, br, ns, ip)
	}
	if err != nil {
		return err // nothing was created
	}
	if err := m.configurePod(ns, ip); err != nil {
		return errors.Join(err, deleteLink(name))
	}
	for _, l := range []string{name, m.cfg.bridge} { // the port, then the bridge it woke
		if err := waitOperUp(l); err != nil {
			return errors.Join(err, deleteLink(name))
		}
	}
	return nil
}

// replaceVeth handles EEXIST from addPodVeth: either the pod's veth from an earlier
// Setup, which is rebuilt, or a name that is not the pod's (on the host, or an eth0
// already in the namespace), which is left alone.
func (m *Manager) replaceVeth(name, alias string, br int, ns netns.NsHandle, ip netip.Addr) error {
	idx, err := podVethIndex(name, alias)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("the namespace already has an %s: %w", podIface, ErrConflict)
	}
	if err != nil {
		return err
	}
	if err := deleteIndex(idx); err != nil {
		return err
	}
	return addPodVeth(name, alias, br, ns, ip)
}

// configurePod sets lo and eth0 up and gives eth0 its address with the cluster
// prefix length: the kernel's prefix route for that address is the on-link cluster
// route, the only route the pod gets. It all happens on one thread inside the
// namespace with plain ioctls and one netlink request; the netlink library would
// spend a socket and a full link dump per step.
func (m *Manager) configurePod(ns netns.NsHandle, ip netip.Addr) error {
	addr := netip.PrefixFrom(ip, m.cfg.cluster.Bits())
	return inNetNS(ns, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := setUp(fd, "lo"); err != nil {
			return err
		}
		eth, err := ifIndexOn(fd, podIface)
		if err != nil {
			return err
		}
		if err := addAddr(eth, addr); err != nil {
			return err
		}
		return setUp(fd, podIface)
	})
}

// Teardown removes the pod's veth (both ends) and frees its address; the last pod's
// Teardown also removes the bridge unless Options.KeepBridge. It is idempotent: a pod
// without veth or address, or whose namespace is already gone, is not an error.
// netnsPath may be empty or stale: the pair is found and deleted from the host side
// (its two ends die together), so the namespace is never entered; a path that a
// recycled PID now gives to another process cannot lead Teardown astray.
func (m *Manager) Teardown(podID, netnsPath string) error {
	if err := checkPodID(podID); err != nil {
		return err
	}
	idx, err := podVethIndex(m.cfg.hostVeth(podID))
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		err = nil // none, or another pod's (a hash collision): nothing of this pod's
	case err == nil:
		err = deleteIndex(idx)
	}
	if err != nil {
		// Keep the address: the pod may still use it, and handing it to another pod
		// would put it twice on the bridge. A later Teardown frees it.
		return fmt.Errorf("pod %s: teardown: %w", podID, err)
	}
	if err := m.release(podID); err != nil {
		return fmt.Errorf("pod %s: teardown: %w", podID, err)
	}
	return nil
}

// release frees the pod's address and, when it was the last one, removes the bridge,
// under the IPAM lock: a Setup elsewhere either allocated before (and the bridge
// stays) or allocates after and makes the bridge again.
func (m *Manager) release(podID string) error {
	return m.ipam.update(func(st *ipamState) ([]string, error) {
		if _, ok := st.Pods[podID]; !ok {
			return nil, nil
		}
		delete(st.Pods, podID)
		if len(st.Pods) == 0 && !m.cfg.keepBridge {
			// ErrInUse: ports of pods this StateDir does not know; they keep it.
			if err := m.removeBridge(); err != nil && !errors.Is(err, ErrInUse) {
				return nil, err
			}
		}
		return []string{releaseRecord(podID)}, nil
	})
}

// IP returns the address allocated to the pod, or ErrNotFound.
func (m *Manager) IP(podID string) (net.IP, error) {
	pods, err := m.ipam.pods()
	if err != nil {
		return nil, err
	}
	ip, ok := pods[podID]
	if !ok {
		return nil, fmt.Errorf("pod %q: %w", podID, ErrNotFound)
	}
	return net.IP(ip.AsSlice()), nil
}

// Pods returns every allocation (pod ID → address), e.g. for an engine that starts
// again and tears down the networks of pods that no longer exist.
func (m *Manager) Pods() (map[string]net.IP, error) {
	pods, err := m.ipam.pods()
	if err != nil {
		return nil, err
	}
	out := make(map[string]net.IP, len(pods))
	for id, ip := range pods {
		out[id] = net.IP(ip.AsSlice())
	}
	return out, nil
}

// RemoveBridge deletes the bridge once no pod holds an address and no interface is
// attached to it (ErrInUse otherwise). Only Managers with KeepBridge need it. It is
// idempotent.
func (m *Manager) RemoveBridge() error {
	// Under the IPAM lock, so no Setup allocates between the check and the delete.
	return m.ipam.update(func(st *ipamState) ([]string, error) {
		if len(st.Pods) > 0 {
			return nil, fmt.Errorf("bridge %s: %d pods still have addresses: %w", m.cfg.bridge, len(st.Pods), ErrInUse)
		}
		return nil, m.removeBridge()
	})
}

// removeBridge deletes the bridge if it exists, is a bridge and has no ports: a port
// can be a pod of another Manager with the same bridge and another StateDir (tests
// do that), which would lose its network.
func (m *Manager) removeBridge() error {
	br, err := m.bridgeLink()
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ports, err := portsOf(br)
	if err != nil {
		return err
	}
	if len(ports) > 0 {
		return fmt.Errorf("bridge %s still has ports %v: %w", m.cfg.bridge, ports, ErrInUse)
	}
	return deleteIndex(br.Attrs().Index)
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}
