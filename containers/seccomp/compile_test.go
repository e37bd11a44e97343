package seccomp

import (
	"encoding/binary"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
)

// call is one system call as the filter sees it.
type call struct {
	arch uint32
	nr   uint32
	args [6]uint64
}

// run evaluates prog on c in x/net/bpf's VM. The VM loads words big-endian
// where the kernel loads them native-endian, so seccomp_data is laid out
// here with each 32-bit word (an argument's low half at +0, high half at +4,
// as on little-endian machines) written big-endian.
func run(t *testing.T, prog []bpf.RawInstruction, c call) uint32 {
	t.Helper()
	insns, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatal("program does not disassemble")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatal(err)
	}
	var data [64]byte
	binary.BigEndian.PutUint32(data[offNr:], c.nr)
	binary.BigEndian.PutUint32(data[offArch:], c.arch)
	for i, v := range c.args {
		binary.BigEndian.PutUint32(data[offArgs+8*i:], uint32(v))
		binary.BigEndian.PutUint32(data[offArgs+8*i+4:], uint32(v>>32))
	}
	ret, err := vm.Run(data[:])
	if err != nil {
		t.Fatal(err)
	}
	return uint32(ret)
}

const testAudit = 0xc000003e // AUDIT_ARCH_X86_64

func errnoRet(n uint) *uint { return &n }

// TestOperators: every operator on 64-bit values around its boundary, the
// OR of several rules of one syscall, and the AND of conditions in a rule.
func TestOperators(t *testing.T) {
	const big = 0x1_0000_0005 // needs the high word
	p := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: errnoRet(1), Syscalls: []specs.LinuxSyscall{
		{Names: []string{"eq"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: big, Op: specs.OpEqualTo}}},
		{Names: []string{"ne"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 1, Value: big, Op: specs.OpNotEqual}}},
		{Names: []string{"lt"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 2, Value: big, Op: specs.OpLessThan}}},
		{Names: []string{"le"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 3, Value: big, Op: specs.OpLessEqual}}},
		{Names: []string{"gt"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 4, Value: big, Op: specs.OpGreaterThan}}},
		{Names: []string{"ge"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 5, Value: big, Op: specs.OpGreaterEqual}}},
		{Names: []string{"masked"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7E020000 | 1<<40, ValueTwo: 1 << 40, Op: specs.OpMaskedEqual}}},
		{Names: []string{"or"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}},
		{Names: []string{"or"}, Action: specs.ActErrno, ErrnoRet: errnoRet(38), Args: []specs.LinuxSeccompArg{{Index: 0, Value: 2, Op: specs.OpEqualTo}}},
		{Names: []string{"and"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 2, Op: specs.OpEqualTo}}},
		{Names: []string{"plain", "unknown-here"}, Action: specs.ActAllow},
	}}
	a := Arch{Audit: testAudit, X32: true, Syscalls: map[string]int{
		"eq": 1, "ne": 2, "lt": 3, "le": 4, "gt": 5, "ge": 6, "masked": 7, "or": 8, "and": 9, "plain": 300}}
	prog, err := Compile(p, a)
	if err != nil {
		t.Fatal(err)
	}
	const allow, eperm, enosys = retAllow, retErrno | 1, retErrno | 38
	withArg := func(nr uint32, i int, v uint64) call {
		c := call{arch: testAudit, nr: nr}
		c.args[i] = v
		return c
	}
	for _, tc := range []struct {
		name string
		c    call
		want uint32
	}{
		{"eq holds", withArg(1, 0, big), allow},
		{"eq low word only", withArg(1, 0, 5), eperm},
		{"eq high word only", withArg(1, 0, 1<<32), eperm},
		{"ne of equal", withArg(2, 1, big), eperm},
		{"ne low differs", withArg(2, 1, big+1), allow},
		{"ne high differs", withArg(2, 1, 5), allow},
		{"lt below in the low word", withArg(3, 2, big-1), allow},
		{"lt below in the high word", withArg(3, 2, 0xffff_ffff), allow},
		{"lt equal", withArg(3, 2, big), eperm},
		{"lt above in the high word", withArg(3, 2, 2<<32), eperm},
		{"le equal", withArg(4, 3, big), allow},
		{"le above", withArg(4, 3, big+1), eperm},
		{"gt above in the low word", withArg(5, 4, big+1), allow},
		{"gt above in the high word", withArg(5, 4, 2<<32), allow},
		{"gt equal", withArg(5, 4, big), eperm},
		{"gt below", withArg(5, 4, 0xffff_ffff), eperm},
		{"ge equal", withArg(6, 5, big), allow},
		{"ge below", withArg(6, 5, big-1), eperm},
		{"masked clear", withArg(7, 0, 1<<40|0x11), allow},
		{"masked bit set in the low word", withArg(7, 0, 1<<40|0x10000000), eperm},
		{"masked wanted high bit missing", withArg(7, 0, 0x11), eperm},
		{"first rule", withArg(8, 0, 1), allow},
		{"second rule", withArg(8, 0, 2), enosys},
		{"no rule", withArg(8, 0, 3), eperm},
		{"and both", call{arch: testAudit, nr: 9, args: [6]uint64{1, 2}}, allow},
		{"and one", call{arch: testAudit, nr: 9, args: [6]uint64{1, 3}}, eperm},
		{"unconditional", call{arch: testAudit, nr: 300}, allow},
		{"gap", call{arch: testAudit, nr: 10}, eperm},
		{"number zero", call{arch: testAudit, nr: 0}, eperm},
		{"past the last", call{arch: testAudit, nr: 301}, eperm},
		{"x32", call{arch: testAudit, nr: 300 | x32Bit}, eperm},
		{"foreign arch", call{arch: 0x40000003, nr: 300}, retKillProcess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, prog, tc.c); got != tc.want {
				t.Fatalf("got %#x, want %#x", got, tc.want)
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	for name, p := range map[string]*specs.LinuxSeccomp{
		"operator": {DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"x"}, Action: specs.ActAllow,
			Args: []specs.LinuxSeccompArg{{Op: "SCMP_CMP_SOMETHING"}}}}},
		"action":         {DefaultAction: "SCMP_ACT_NOTIFY"},
		"argument index": {DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"x"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Compile(p, Arch{Audit: testAudit, Syscalls: map[string]int{"x": 1}}); err == nil {
				t.Fatal("compiled")
			}
		})
	}
}
