package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NewNetNS creates a new, empty network namespace and keeps it alive by bind-mounting it
// on path (created; its directory must exist). The namespace's loopback is down, as
// the kernel makes it; Setup or LoopbackUp bring it up. Remove it with DeleteNetNS.
func NewNetNS(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("netns %s: %w", path, err)
	}
	f.Close()
	err = onFreshThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		return unix.Mount("/proc/thread-self/ns/net", path, "", unix.MS_BIND, "")
	})
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("netns %s: %w", path, err)
	}
	return nil
}

// DeleteNetNS unmounts and removes a namespace file made by NewNetNS. The namespace
// itself, with any veth still in it, goes away when no process uses it any more. It is
// idempotent: a missing or unmounted path is not an error.
func DeleteNetNS(path string) error {
	err := unix.Unmount(path, unix.MNT_DETACH)
	if err != nil && err != unix.EINVAL && err != unix.ENOENT {
		return fmt.Errorf("netns %s: unmount: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("netns %s: %w", path, err)
	}
	return nil
}

// LoopbackUp brings up lo in the network namespace at netnsPath.
func LoopbackUp(netnsPath string) error {
	ns, err := openNetNS(netnsPath)
	if err != nil {
		return err
	}
	defer ns.Close()
	return inNetNS(ns, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		return setUp(fd, "lo")
	})
}

// openNetNS opens a network namespace file and refuses anything else, including the
// host's own namespace: configuring "eth0" there would touch the host.
func openNetNS(path string) (netns.NsHandle, error) {
	if path == "" {
		return netns.None(), fmt.Errorf("netns path is empty: %w", ErrInvalid)
	}
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return netns.None(), fmt.Errorf("netns %s: %w", path, err)
	}
	typ, err := unix.IoctlRetInt(int(ns), unix.NS_GET_NSTYPE)
	if err != nil || typ != unix.CLONE_NEWNET {
		ns.Close()
		return netns.None(), fmt.Errorf("%s is not a network namespace: %w", path, ErrInvalid)
	}
	host, err := netns.GetFromPath("/proc/self/ns/net")
	if err != nil {
		ns.Close()
		return netns.None(), fmt.Errorf("host netns: %w", err)
	}
	defer host.Close()
	if ns.Equal(host) {
		ns.Close()
		return netns.None(), fmt.Errorf("%s is the host's network namespace: %w", path, ErrInvalid)
	}
	return ns, nil
}

// inNetNS runs fn on a fresh OS thread that has joined ns.
func inNetNS(ns netns.NsHandle, fn func() error) error {
	return onFreshThread(func() error {
		if err := netns.Set(ns); err != nil {
			return fmt.Errorf("setns: %w", err)
		}
		return fn()
	})
}

// onFreshThread runs fn on a new goroutine locked to its OS thread, then puts the
// thread back into the network namespace it started in. Only then is the thread
// unlocked; if it cannot go back it stays locked, and the runtime destroys a thread
// whose goroutine exits locked, so no goroutine ever inherits the wrong namespace.
func onFreshThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		origin, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("current netns: %w", err)
			return
		}
		defer origin.Close()
		ferr := fn()
		if err := netns.Set(origin); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("return to host netns: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
