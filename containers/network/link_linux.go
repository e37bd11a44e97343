package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// addPodVeth creates a pod's veth pair with one RTM_NEWLINK: the host end named host,
// up, already a port of the bridge (IFLA_MASTER), and the pod end created directly
// inside ns as eth0. netlink.LinkAdd would need two more round trips (an index lookup
// and a separate set-master), and a pod end created on the host would need a
// temporary name and a move. A second request labels the host end with alias.
//
// The pod end's MAC address is derived from its IP (0a:58 and the four address bytes,
// as Kubernetes' bridge plugins do), so when an address is handed out again the
// host's and other pods' ARP entries for it stay right.
func addPodVeth(host, alias string, bridgeIndex int, ns netns.NsHandle, ip netip.Addr) error {
	req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Flags, msg.Change = unix.IFF_UP, unix.IFF_UP
	req.AddData(msg)
	req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(host)))
	req.AddData(nl.NewRtAttr(unix.IFLA_MASTER, nl.Uint32Attr(uint32(bridgeIndex))))
	info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
	info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("veth"))
	peer := info.AddRtAttr(nl.IFLA_INFO_DATA, nil).AddRtAttr(nl.VETH_INFO_PEER, nil)
	nl.NewIfInfomsgChild(peer, unix.AF_UNSPEC) // not up: veth_open fails before the pair is linked
	peer.AddRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(podIface))
	peer.AddRtAttr(unix.IFLA_ADDRESS, podMAC(ip))
	peer.AddRtAttr(unix.IFLA_NET_NS_FD, nl.Uint32Attr(uint32(ns)))
	req.AddData(info)
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("create veth %s: %w", host, err)
	}
	// The kernel ignores IFLA_IFALIAS when it creates a link: set it afterwards.
	if err := setAlias(host, alias); err != nil {
		return errors.Join(err, deleteLink(host))
	}
	return nil
}

// setAlias sets a host link's alias, finding the link by name in the same request.
func setAlias(name, alias string) error {
	req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(name)))
	req.AddData(nl.NewRtAttr(unix.IFLA_IFALIAS, []byte(alias)))
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("set alias of %s: %w", name, err)
	}
	return nil
}

func podMAC(ip netip.Addr) net.HardwareAddr {
	b := ip.As4()
	return net.HardwareAddr{0x0a, 0x58, b[0], b[1], b[2], b[3]}
}

// ifIndex looks an interface of the host up with SIOCGIFINDEX: a few microseconds,
// where an RTM_GETLINK (with all the link's attributes) costs far more. ErrNotFound
// when there is no such interface.
func ifIndex(name string) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("ifindex %s: %w", name, err)
	}
	defer unix.Close(fd)
	return ifIndexOn(fd, name)
}

// ifIndexOn uses the socket fd, which decides the namespace the name is looked up in.
func ifIndexOn(fd int, name string) (int, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("ifindex %s: %v: %w", name, err, ErrInvalid)
	}
	err = unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr)
	if errors.Is(err, unix.ENODEV) {
		return 0, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("ifindex %s: %w", name, err)
	}
	return int(ifr.Uint32()), nil
}

// setUp sets IFF_UP on a link of the socket's namespace.
func setUp(fd int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("set %s up: %v: %w", name, err, ErrInvalid)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	return nil
}

// addAddr adds an IPv4 address (with its broadcast address, as `ip addr add ... brd +`
// would) to a link of the calling thread's namespace.
func addAddr(index int, p netip.Prefix) error {
	req := nl.NewNetlinkRequest(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	msg := nl.NewIfAddrmsg(unix.AF_INET)
	msg.Prefixlen, msg.Index = uint8(p.Bits()), uint32(index)
	req.AddData(msg)
	ip := p.Addr().AsSlice()
	req.AddData(nl.NewRtAttr(unix.IFA_LOCAL, ip))
	req.AddData(nl.NewRtAttr(unix.IFA_ADDRESS, ip))
	bcast := lastAddr(p.Masked()).AsSlice()
	req.AddData(nl.NewRtAttr(unix.IFA_BROADCAST, bcast))
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return fmt.Errorf("add %s to %s: %w", p, podIface, err)
	}
	return nil
}

// podVethIndex finds a pod's host veth by name, and only if its alias is the pod's:
// ErrNotFound when there is none, ErrConflict when another pod's hash collides.
func podVethIndex(name, alias string) (int, error) {
	l, err := netlink.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return 0, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("find %s: %w", name, err)
	}
	if l.Attrs().Alias != alias {
		return 0, fmt.Errorf("%s belongs to another pod (alias %q): %w", name, l.Attrs().Alias, ErrConflict)
	}
	return l.Attrs().Index, nil
}

// deleteLink deletes a host link by name; a missing one is fine.
func deleteLink(name string) error {
	idx, err := ifIndex(name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err == nil {
		err = deleteIndex(idx)
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// deleteIndex deletes a host link; one that is gone meanwhile (ENODEV) is fine.
func deleteIndex(idx int) error {
	err := netlink.LinkDel(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: idx}})
	if err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %d: %w", idx, err)
	}
	return nil
}

// waitOperUp waits until a host link is operationally up. When a pod's eth0 comes up,
// the host end of its veth gets its carrier, and a bridge whose first port starts
// forwarding gets its own; but the kernel applies a carrier change (the qdisc that
// lets packets out, the bridge port going to forwarding) later, from its link-watch
// work queue, within a second. Until then the first packets to the pod are dropped,
// which costs a new TCP connection a one-second SYN retransmit. Reading the link's
// carrier through sysfs (or RTM_GETLINK) runs that pending work at once on kernel 6.8
// and later; older kernels get the loop.
func waitOperUp(name string) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		state, err := operState(name)
		if err != nil {
			return err
		}
		if state == "up" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not come up (operstate %s)", name, state)
		}
		time.Sleep(time.Millisecond)
	}
}

// operState reads /sys/class/net/<name>/operstate, and when that is not "up" yet
// reads carrier (which syncs link watch, but takes the RTNL lock) and operstate
// again: microseconds, where an RTM_GETLINK of a bridge costs hundreds. Without the
// host's sysfs it asks netlink.
func operState(name string) (string, error) {
	dir := "/sys/class/net/" + name
	if b, err := os.ReadFile(dir + "/operstate"); err == nil {
		if state := strings.TrimSpace(string(b)); state == "up" {
			return state, nil
		}
		if _, err := os.ReadFile(dir + "/carrier"); err == nil {
			if b, err := os.ReadFile(dir + "/operstate"); err == nil {
				return strings.TrimSpace(string(b)), nil
			}
		}
	}
	l, err := netlink.LinkByName(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return l.Attrs().OperState.String(), nil
}

// portsOf lists a bridge's ports from sysfs (brif/), or from a link dump without the
// host's sysfs.
func portsOf(br netlink.Link) ([]string, error) {
	entries, err := os.ReadDir("/sys/class/net/" + br.Attrs().Name + "/brif")
	if err == nil {
		ports := make([]string, len(entries))
		for i, e := range entries {
			ports[i] = e.Name()
		}
		return ports, nil
	}
	links, err := netlink.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	var ports []string
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			ports = append(ports, l.Attrs().Name)
		}
	}
	return ports, nil
}

// isUp says whether a link has IFF_UP.
func isUp(l netlink.Link) bool { return l.Attrs().Flags&net.FlagUp != 0 }
