package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// DialContext connects to address from inside the network namespace at netnsPath, for
// port-forward. The socket is created inside the namespace (on a thread that returns
// to the host right after) and connected from the host's goroutines through Go's
// poller, so ctx cancels the connect. network is tcp, tcp4 or tcp6 (port-forward is
// TCP only, as in Kubernetes). The host must be an IP address or "localhost": a name
// would be resolved with the host's resolver, which is not the pod's view.
func DialContext(ctx context.Context, netnsPath, network, address string) (net.Conn, error) {
	ap, err := parseEndpoint(network, address)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := socketIn(netnsPath, ap)
	if err != nil {
		return nil, err
	}
	defer f.Close() // FileConn holds a duplicate
	if err := connect(ctx, f, sockaddr(ap)); err != nil {
		return nil, fmt.Errorf("dial %s %s in netns %s: %w", network, address, netnsPath, err)
	}
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("dial %s %s in netns %s: %w", network, address, netnsPath, err)
	}
	return c, nil
}

// Listen opens a TCP listener inside the network namespace at netnsPath ("tcp",
// "tcp4" or "tcp6"; the host must be an IP address or "localhost"; port 0 picks one).
func Listen(netnsPath, network, address string) (net.Listener, error) {
	ap, err := parseEndpoint(network, address)
	if err != nil {
		return nil, err
	}
	f, err := socketIn(netnsPath, ap)
	if err != nil {
		return nil, err
	}
	defer f.Close() // FileListener holds a duplicate
	if err := bindListen(f, sockaddr(ap)); err != nil {
		return nil, fmt.Errorf("listen %s in netns %s: %w", address, netnsPath, err)
	}
	l, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("listen %s in netns %s: %w", address, netnsPath, err)
	}
	return l, nil
}

// bindListen works on the descriptor through SyscallConn: f.Fd() would switch the
// socket to blocking mode.
func bindListen(f *os.File, sa unix.Sockaddr) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		s := int(fd)
		if lerr = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); lerr != nil {
			return
		}
		if lerr = unix.Bind(s, sa); lerr != nil {
			lerr = fmt.Errorf("bind: %w", lerr)
			return
		}
		lerr = unix.Listen(s, unix.SOMAXCONN)
	})
	if err != nil {
		return err
	}
	return lerr
}

// parseEndpoint turns network and "host:port" into an address.
func parseEndpoint(network, address string) (netip.AddrPort, error) {
	var fam string
	switch network {
	case "tcp":
	case "tcp4", "tcp6":
		fam = network[3:]
	default:
		return netip.AddrPort{}, fmt.Errorf("network %q: only tcp, tcp4 and tcp6: %w", network, ErrInvalid)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: %v: %w", address, err, ErrInvalid)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %q: port must be a number: %w", address, ErrInvalid)
	}
	var ip netip.Addr
	switch {
	case host == "localhost" && fam == "6":
		ip = netip.IPv6Loopback()
	case host == "localhost":
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	default:
		if ip, err = netip.ParseAddr(host); err != nil || ip.Zone() != "" {
			return netip.AddrPort{}, fmt.Errorf("address %q: host must be an IP address or localhost: %w", address, ErrInvalid)
		}
	}
	if fam != "6" {
		ip = ip.Unmap()
	}
	if fam == "4" && !ip.Is4() || fam == "6" && !ip.Is6() {
		return netip.AddrPort{}, fmt.Errorf("address %q is not for %s: %w", address, network, ErrInvalid)
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// socketIn creates a non-blocking TCP socket inside the namespace and wraps it in an
// os.File, which registers it with Go's poller.
func socketIn(netnsPath string, ap netip.AddrPort) (*os.File, error) {
	ns, err := openNetNS(netnsPath)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	family := unix.AF_INET
	if ap.Addr().Is6() {
		family = unix.AF_INET6
	}
	var fd int
	err = inNetNS(ns, func() (err error) {
		fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("socket in netns %s: %w", netnsPath, err)
	}
	return os.NewFile(uintptr(fd), "netns-socket"), nil
}

// connect starts a non-blocking connect and waits for it through the poller, as the
// net package does; ctx's deadline and cancellation become a write deadline.
func connect(ctx context.Context, f *os.File, sa unix.Sockaddr) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	var cerr error
	started := false
	werr := rc.Write(func(fd uintptr) bool {
		if !started {
			started = true
			cerr = unix.Connect(int(fd), sa)
			return cerr != unix.EINPROGRESS && cerr != unix.EALREADY && cerr != unix.EINTR
		}
		cerr = connectResult(int(fd))
		return cerr != unix.EINPROGRESS
	})
	if errors.Is(werr, os.ErrDeadlineExceeded) {
		// Only ctx sets deadlines here; the poller may notice one a moment before
		// ctx does, so wait for ctx to report its own error.
		<-ctx.Done()
		return ctx.Err()
	}
	if werr != nil {
		return werr
	}
	return cerr
}

// connectResult reads the outcome of a connect once the socket is writable;
// EINPROGRESS means keep waiting.
func connectResult(fd int) error {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	switch e := unix.Errno(v); e {
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		return unix.EINPROGRESS
	case 0, unix.EISCONN:
		if _, err := unix.Getpeername(fd); err == unix.ENOTCONN {
			return unix.EINPROGRESS // spurious wake-up
		}
		return nil
	default:
		return e
	}
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}
