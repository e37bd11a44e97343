package controller

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/minspace/min/engine/api"
)

// ErrExhausted: the pod CIDR has no free address left.
var ErrExhausted = errors.New("no free address in pod CIDR")

// maxIPAMHostBits caps the addresses an IPAM tracks at 65,536 (a /16 of
// IPv4, the start of a larger IPv6 range): far more than a node's pods.
const maxIPAMHostBits = 16

// IPAM hands out the addresses of one node's pod CIDR, one per key (a pod's
// uid or namespace/name). The network address and the first host address
// (the gateway of the node's bridge) are never handed out, nor is the
// broadcast address of an IPv4 range. Allocation goes round-robin, as
// host-local IPAM does, so that an address just released is not reused at
// once.
type IPAM struct {
	mu     sync.Mutex
	prefix netip.Prefix
	size   int      // addresses tracked, from the network address on
	used   []uint64 // bitmap over offsets
	byKey  map[string]int
	next   int
}

// NewIPAM returns an allocator for cidr (e.g. "10.244.1.0/24"); a malformed
// cidr or one too small to hold a pod wraps api.ErrInvalid.
func NewIPAM(cidr string) (*IPAM, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, fmt.Errorf("pod CIDR %q: %w: %v", cidr, api.ErrInvalid, err)
	}
	p = p.Masked()
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits < 2 {
		return nil, fmt.Errorf("pod CIDR %q: %w: too small for pods", cidr, api.ErrInvalid)
	}
	a := &IPAM{prefix: p, size: 1 << min(hostBits, maxIPAMHostBits), byKey: map[string]int{}, next: 2}
	a.used = make([]uint64, (a.size+63)/64)
	a.mark(0) // network address
	a.mark(1) // gateway
	if p.Addr().Is4() && hostBits <= maxIPAMHostBits {
		a.mark(a.size - 1) // broadcast
	}
	return a, nil
}

// Gateway returns the range's first host address, kept for the bridge.
func (a *IPAM) Gateway() string { return a.addr(1).String() }

// Allocate returns key's address, allocating one if key has none yet.
func (a *IPAM) Allocate(key string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if off, ok := a.byKey[key]; ok {
		return a.addr(off).String(), nil
	}
	for i := range a.size {
		off := (a.next + i) % a.size
		if !a.isUsed(off) {
			a.mark(off)
			a.byKey[key] = off
			a.next = (off + 1) % a.size
			return a.addr(off).String(), nil
		}
	}
	return "", fmt.Errorf("pod CIDR %s: %w", a.prefix, ErrExhausted)
}

// Reserve records that key holds ip already (a pod re-adopted after a
// restart). It fails if ip is outside the range, reserved, or held by
// another key.
func (a *IPAM) Reserve(key, ip string) error {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !a.prefix.Contains(addr) {
		return fmt.Errorf("reserve %q in %s: %w: not an address of the range", ip, a.prefix, api.ErrInvalid)
	}
	off := a.offset(addr)
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur, ok := a.byKey[key]; ok && cur == off {
		return nil
	}
	if off < 0 || a.isUsed(off) {
		return fmt.Errorf("reserve %s for %s: %w: address in use or reserved", ip, key, api.ErrConflict)
	}
	if cur, ok := a.byKey[key]; ok {
		a.clear(cur)
	}
	a.mark(off)
	a.byKey[key] = off
	return nil
}

// Release frees key's address; an unknown key is ignored.
func (a *IPAM) Release(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if off, ok := a.byKey[key]; ok {
		a.clear(off)
		delete(a.byKey, key)
	}
}

// Len returns how many addresses are allocated.
func (a *IPAM) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.byKey)
}

func (a *IPAM) mark(off int)        { a.used[off/64] |= 1 << (off % 64) }
func (a *IPAM) clear(off int)       { a.used[off/64] &^= 1 << (off % 64) }
func (a *IPAM) isUsed(off int) bool { return a.used[off/64]&(1<<(off%64)) != 0 }

// addr returns the network address plus off.
func (a *IPAM) addr(off int) netip.Addr {
	b := a.prefix.Addr().As16()
	carry := uint(off)
	for i := 15; i >= 0 && carry > 0; i-- {
		sum := uint(b[i]) + carry&0xff
		b[i] = byte(sum)
		carry = carry>>8 + sum>>8
	}
	ip := netip.AddrFrom16(b)
	if a.prefix.Addr().Is4() {
		return ip.Unmap()
	}
	return ip
}

// offset returns addr's offset from the network address, or -1 beyond the
// tracked part of the range. addr is inside the prefix, so the host part
// is a plain byte-wise difference.
func (a *IPAM) offset(addr netip.Addr) int {
	x, y := addr.As16(), a.prefix.Addr().As16()
	for i := range 12 {
		if x[i] != y[i] {
			return -1
		}
	}
	off := 0
	for i := 12; i < 16; i++ {
		off = off<<8 | int(x[i]-y[i])
	}
	if off >= a.size {
		return -1
	}
	return off
}
