package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ipam keeps the address allocations of one bridge in a JSON file. Every access holds
// flock on a separate lock file: flock locks belong to an open file description, so
// goroutines (each opening the lock file) and processes exclude each other alike.
// The state file is replaced by rename, never rewritten in place, so a crash leaves
// either the old or the new state. It is not fsynced: after a power loss the file is
// stale anyway, and the boot ID below discards it.
type ipam struct {
	file, lock string
	bootID     string
}

// ipamState is the file's content.
type ipamState struct {
	// BootID is the kernel boot the allocations belong to. Veths and network
	// namespaces die with the boot, so allocations from another boot are void.
	BootID string `json:"bootID"`
	// Pods maps a pod ID to its address.
	Pods map[string]netip.Addr `json:"pods"`
	// Last maps a node CIDR to the address handed out last there. Allocation goes
	// round-robin from it so a freed address is not reused at once (ARP caches).
	Last map[netip.Prefix]netip.Addr `json:"last"`
}

func newIPAM(dir, bridge string) (*ipam, error) {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return nil, fmt.Errorf("ipam: read boot ID: %w", err)
	}
	return &ipam{
		file:   filepath.Join(dir, bridge+".json"),
		lock:   filepath.Join(dir, bridge+".lock"),
		bootID: strings.TrimSpace(string(b)),
	}, nil
}

// allocate returns podID's address in node, reusing the one it already has there.
// fresh says whether this call made the allocation (the caller undoes only those).
func (a *ipam) allocate(podID string, node netip.Prefix, reserved netip.Addr) (ip netip.Addr, fresh bool, err error) {
	err = a.update(func(st *ipamState) (bool, error) {
		if old, ok := st.Pods[podID]; ok && node.Contains(old) {
			ip = old
			return false, nil
		}
		used := make(map[netip.Addr]bool, len(st.Pods))
		for id, addr := range st.Pods {
			if id != podID {
				used[addr] = true
			}
		}
		next, ok := pick(node, st.Last[node], reserved, used)
		if !ok {
			return false, fmt.Errorf("ipam: node CIDR %s: %w", node, ErrExhausted)
		}
		ip, fresh = next, true
		st.Pods[podID], st.Last[node] = next, next
		return true, nil
	})
	return ip, fresh, err
}

// pick finds the first free host address of node after last, wrapping around. The
// network and broadcast addresses and the reserved (gateway) address are never free.
func pick(node netip.Prefix, last, reserved netip.Addr, used map[netip.Addr]bool) (netip.Addr, bool) {
	first := node.Addr().Next()
	bcast := lastAddr(node)
	n := 1 << (32 - node.Bits())
	cur := last
	if !node.Contains(cur) {
		cur = node.Addr()
	}
	for range n {
		cur = cur.Next()
		if !cur.IsValid() || !node.Contains(cur) || cur == bcast {
			cur = first
		}
		if cur != reserved && !used[cur] {
			return cur, true
		}
	}
	return netip.Addr{}, false
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// release frees podID's address and returns it; ErrNotFound when it had none.
func (a *ipam) release(podID string) (ip netip.Addr, err error) {
	err = a.update(func(st *ipamState) (bool, error) {
		old, ok := st.Pods[podID]
		if !ok {
			return false, fmt.Errorf("ipam: pod %q: %w", podID, ErrNotFound)
		}
		delete(st.Pods, podID)
		ip = old
		return true, nil
	})
	return ip, err
}

// pods returns a copy of every allocation.
func (a *ipam) pods() (map[string]netip.Addr, error) {
	out := map[string]netip.Addr{}
	err := a.locked(unix.LOCK_SH, func(st *ipamState) (bool, error) {
		for id, ip := range st.Pods {
			out[id] = ip
		}
		return false, nil
	})
	return out, err
}

func (a *ipam) update(fn func(*ipamState) (bool, error)) error {
	return a.locked(unix.LOCK_EX, fn)
}

// locked runs fn on the state under flock(how) and saves it when fn says it changed.
func (a *ipam) locked(how int, fn func(*ipamState) (bool, error)) error {
	if err := os.MkdirAll(filepath.Dir(a.file), 0o700); err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	lf, err := os.OpenFile(a.lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	defer lf.Close() // releases the lock
	if err := flock(lf, how); err != nil {
		return fmt.Errorf("ipam: lock %s: %w", a.lock, err)
	}
	st, err := a.load()
	if err != nil {
		return err
	}
	changed, err := fn(st)
	if err != nil || !changed {
		return err
	}
	return a.save(st)
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

func (a *ipam) load() (*ipamState, error) {
	st := &ipamState{}
	b, err := os.ReadFile(a.file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("ipam: %w", err)
	default:
		if err := json.Unmarshal(b, st); err != nil {
			return nil, fmt.Errorf("ipam: %s is corrupt: %w", a.file, err)
		}
	}
	if st.BootID != a.bootID || st.Pods == nil {
		st.BootID, st.Pods = a.bootID, map[string]netip.Addr{}
	}
	if st.Last == nil {
		st.Last = map[netip.Prefix]netip.Addr{}
	}
	return st, nil
}

func (a *ipam) save(st *ipamState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	tmp := a.file + ".tmp" // one writer at a time: we hold the exclusive lock
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	if err := os.Rename(tmp, a.file); err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	return nil
}
