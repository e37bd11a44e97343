package network

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ipam keeps the address allocations of one bridge in an append-only log file,
// StateDir/<bridge>.ipam, and serialises every access with flock on
// StateDir/<bridge>.lock. flock locks belong to an open file description, so
// goroutines (each opening the lock file) and processes exclude each other alike.
//
// Why a log: appending one short line costs microseconds, while rewriting a file
// and renaming it over the old one makes ext4 flush it (auto_da_alloc), about a
// millisecond per pod. A process killed in the middle of an append leaves at most one
// torn last line, which parsing skips: a torn allocation belongs to a Setup that never
// returned, so no pod uses that address; a torn release leaves the address taken until
// the pod's Teardown runs again. The log is compacted (a snapshot written and renamed into place, under the
// lock) when it grows well beyond the live allocations, and when it belongs to
// another boot: veths and network namespaces die with the boot, so allocations from
// another boot are void. Nothing is fsynced, for the same reason.
//
// Records, one per line:
//
//	min-ipam 1 <boot ID>              header
//	+ <ip> <node CIDR> <quoted pod>   allocation (also the node's last address)
//	= <ip> <quoted pod>               allocation (snapshots)
//	- <quoted pod>                    release
//	L <node CIDR> <ip>                last address handed out in the node (snapshots)
type ipam struct {
	log, lock string
	bootID    string
}

const ipamMagic = "min-ipam 1 "

// ipamState is the log replayed.
type ipamState struct {
	Pods  map[string]netip.Addr
	Last  map[netip.Prefix]netip.Addr // round-robin start: a freed address rests before reuse
	lines int                         // records in the log, to decide when to compact
	fresh bool                        // the log is missing or from another boot
}

func newIPAM(dir, bridge string) (*ipam, error) {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return nil, fmt.Errorf("ipam: read boot ID: %w", err)
	}
	return &ipam{
		log:    filepath.Join(dir, bridge+".ipam"),
		lock:   filepath.Join(dir, bridge+".lock"),
		bootID: strings.TrimSpace(string(b)),
	}, nil
}

// allocate returns podID's address in node, reusing the one it already has there.
// fresh says whether this call made the allocation (the caller undoes only those).
func (a *ipam) allocate(podID string, node netip.Prefix, reserved netip.Addr) (ip netip.Addr, fresh bool, err error) {
	err = a.update(func(st *ipamState) ([]string, error) {
		if old, ok := st.Pods[podID]; ok && node.Contains(old) {
			ip = old
			return nil, nil
		}
		used := make(map[netip.Addr]bool, len(st.Pods))
		for id, addr := range st.Pods {
			if id != podID {
				used[addr] = true
			}
		}
		next, ok := pick(node, st.Last[node], reserved, used)
		if !ok {
			return nil, fmt.Errorf("ipam: node CIDR %s: %w", node, ErrExhausted)
		}
		ip, fresh = next, true
		st.Pods[podID], st.Last[node] = next, next
		return []string{fmt.Sprintf("+ %s %s %s", next, node, strconv.Quote(podID))}, nil
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
	err = a.update(func(st *ipamState) ([]string, error) {
		old, ok := st.Pods[podID]
		if !ok {
			return nil, fmt.Errorf("ipam: pod %q: %w", podID, ErrNotFound)
		}
		delete(st.Pods, podID)
		ip = old
		return []string{releaseRecord(podID)}, nil
	})
	return ip, err
}

func releaseRecord(podID string) string { return "- " + strconv.Quote(podID) }

// pods returns a copy of every allocation.
func (a *ipam) pods() (map[string]netip.Addr, error) {
	var out map[string]netip.Addr
	err := a.locked(unix.LOCK_SH, func(st *ipamState) ([]string, error) {
		out = st.Pods
		return nil, nil
	})
	return out, err
}

// update runs fn under the exclusive lock and logs the records it returns.
func (a *ipam) update(fn func(*ipamState) ([]string, error)) error {
	return a.locked(unix.LOCK_EX, fn)
}

func (a *ipam) locked(how int, fn func(*ipamState) ([]string, error)) error {
	if err := os.MkdirAll(filepath.Dir(a.log), 0o700); err != nil {
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
	b, err := os.ReadFile(a.log)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ipam: %w", err)
	}
	st := a.replay(b)
	records, err := fn(st)
	if err != nil || len(records) == 0 {
		return err
	}
	if st.fresh || st.lines+len(records) > 2*len(st.Pods)+64 {
		return a.compact(st)
	}
	return a.appendRecords(b, records)
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// replay rebuilds the state from the log. Lines it cannot parse (a torn last append)
// are skipped.
func (a *ipam) replay(b []byte) *ipamState {
	st := &ipamState{Pods: map[string]netip.Addr{}, Last: map[netip.Prefix]netip.Addr{}}
	header, rest, _ := bytes.Cut(b, []byte("\n"))
	if string(header) != ipamMagic+a.bootID {
		st.fresh = true
		return st
	}
	for text := string(rest); text != ""; {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if line != "" {
			st.lines++
			st.apply(line)
		}
	}
	return st
}

func (st *ipamState) apply(line string) {
	op, args, _ := strings.Cut(line, " ")
	switch op {
	case "+":
		f := strings.SplitN(args, " ", 3)
		if len(f) != 3 {
			return
		}
		ip, err1 := netip.ParseAddr(f[0])
		node, err2 := netip.ParsePrefix(f[1])
		pod, err3 := strconv.Unquote(f[2])
		if err1 == nil && err2 == nil && err3 == nil {
			st.Pods[pod], st.Last[node] = ip, ip
		}
	case "=":
		ipStr, podStr, _ := strings.Cut(args, " ")
		ip, err1 := netip.ParseAddr(ipStr)
		pod, err2 := strconv.Unquote(podStr)
		if err1 == nil && err2 == nil {
			st.Pods[pod] = ip
		}
	case "-":
		if pod, err := strconv.Unquote(args); err == nil {
			delete(st.Pods, pod)
		}
	case "L":
		f := strings.Fields(args)
		if len(f) != 2 {
			return
		}
		node, err1 := netip.ParsePrefix(f[0])
		ip, err2 := netip.ParseAddr(f[1])
		if err1 == nil && err2 == nil {
			st.Last[node] = ip
		}
	}
}

// appendRecords adds records with one write, after a newline if a torn line is last.
func (a *ipam) appendRecords(old []byte, records []string) error {
	var buf strings.Builder
	if len(old) > 0 && old[len(old)-1] != '\n' {
		buf.WriteByte('\n')
	}
	for _, r := range records {
		buf.WriteString(r)
		buf.WriteByte('\n')
	}
	f, err := os.OpenFile(a.log, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	_, err = f.WriteString(buf.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	return nil
}

// compact writes the state as a new log and renames it into place.
func (a *ipam) compact(st *ipamState) error {
	var buf strings.Builder
	buf.WriteString(ipamMagic + a.bootID + "\n")
	for _, node := range slices.SortedFunc(maps.Keys(st.Last), netip.Prefix.Compare) {
		fmt.Fprintf(&buf, "L %s %s\n", node, st.Last[node])
	}
	for _, pod := range slices.Sorted(maps.Keys(st.Pods)) {
		fmt.Fprintf(&buf, "= %s %s\n", st.Pods[pod], strconv.Quote(pod))
	}
	tmp := a.log + ".tmp" // one writer at a time: we hold the exclusive lock
	if err := os.WriteFile(tmp, []byte(buf.String()), 0o600); err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	if err := os.Rename(tmp, a.log); err != nil {
		return fmt.Errorf("ipam: %w", err)
	}
	return nil
}
