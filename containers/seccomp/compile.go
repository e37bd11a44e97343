package seccomp

import (
	"errors"
	"fmt"
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
)

// Arch describes the architecture a program is compiled for.
type Arch struct {
	Audit    uint32         // AUDIT_ARCH_* value the program accepts
	Syscalls map[string]int // syscall numbers by name
	X32      bool           // x86_64: reject syscall numbers with the x32 bit
}

// Return values of a seccomp filter (linux/seccomp.h).
const (
	retKillProcess = 0x80000000
	retKillThread  = 0x00000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retTrace       = 0x7ff00000
	retLog         = 0x7ffc0000
	retAllow       = 0x7fff0000
	x32Bit         = 0x40000000
)

// Offsets in struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// Compile turns p into a seccomp program for a (little-endian) arch. Names
// the arch does not have are skipped, as libseccomp does. A foreign
// architecture kills the process; x32 calls get the default action.
func Compile(p *specs.LinuxSeccomp, a Arch) ([]bpf.RawInstruction, error) {
	if err := Validate(p); err != nil {
		return nil, err
	}
	def, _ := action(p.DefaultAction, p.DefaultErrnoRet)
	rules, err := rulesByNumber(p, a)
	if err != nil {
		return nil, err
	}
	var asm assembler
	asm.load(offArch)
	archOK := asm.newLabel()
	asm.jumpIf(bpf.JumpEqual, a.Audit, archOK, next)
	asm.ret(retKillProcess)
	asm.mark(archOK)
	asm.load(offNr)
	if a.X32 {
		native := asm.newLabel()
		asm.jumpIf(bpf.JumpGreaterOrEqual, x32Bit, next, native)
		asm.ret(def)
		asm.mark(native)
	}
	asm.tree(segments(rules, def))
	asm.mark("default")
	asm.ret(def)
	return asm.assemble()
}

// rule is one entry of the profile for one syscall: all conditions must
// hold for ret to apply.
type rule struct {
	conds []specs.LinuxSeccompArg
	ret   uint32
}

func rulesByNumber(p *specs.LinuxSeccomp, a Arch) (map[int][]rule, error) {
	out := map[int][]rule{}
	for _, s := range p.Syscalls {
		ret, err := action(s.Action, s.ErrnoRet)
		if err != nil {
			return nil, err
		}
		for _, c := range s.Args {
			if c.Index > 5 {
				return nil, fmt.Errorf("seccomp: %v: argument index %d", s.Names, c.Index)
			}
		}
		for _, name := range s.Names {
			nr, ok := a.Syscalls[name]
			if !ok {
				continue
			}
			out[nr] = append(out[nr], rule{conds: s.Args, ret: ret})
		}
	}
	return out, nil
}

func action(a specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	errno := uint32(1) // EPERM, libseccomp's default for SCMP_ACT_ERRNO
	if errnoRet != nil {
		errno = uint32(*errnoRet) & 0xffff
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return retKillThread, nil
	case specs.ActKillProcess:
		return retKillProcess, nil
	case specs.ActTrap:
		return retTrap, nil
	case specs.ActErrno:
		return retErrno | errno, nil
	case specs.ActTrace:
		return retTrace | errno, nil
	case specs.ActLog:
		return retLog, nil
	case specs.ActAllow:
		return retAllow, nil
	}
	return 0, fmt.Errorf("seccomp: unsupported action %q", a)
}

// segment is a range of syscall numbers [start, next segment's start) that
// share one outcome: a return value, or the rules of one syscall.
type segment struct {
	start int
	ret   uint32
	rules []rule // conditional: one syscall number only
}

// segments partitions all syscall numbers by outcome. A syscall whose
// rules include one without conditions takes that rule's action.
func segments(rules map[int][]rule, def uint32) []segment {
	nrs := make([]int, 0, len(rules))
	for nr := range rules {
		nrs = append(nrs, nr)
	}
	sort.Ints(nrs)
	segs := []segment{{start: 0, ret: def}}
	add := func(s segment) {
		last := &segs[len(segs)-1]
		if s.rules == nil && last.rules == nil && last.ret == s.ret {
			return // same outcome: the last segment extends
		}
		if last.start == s.start {
			*last = s
			return
		}
		segs = append(segs, s)
	}
	for i, nr := range nrs {
		if i > 0 && nrs[i-1] != nr-1 {
			add(segment{start: nrs[i-1] + 1, ret: def}) // a gap
		}
		s := segment{start: nr, rules: rules[nr]}
		for _, r := range rules[nr] {
			if len(r.conds) == 0 {
				s = segment{start: nr, ret: r.ret}
				break
			}
		}
		add(s)
	}
	if len(nrs) > 0 {
		add(segment{start: nrs[len(nrs)-1] + 1, ret: def})
	}
	return segs
}

// assembler lays out instructions with symbolic jump targets.
type assembler struct {
	insns  []insn
	labels map[string]int // label -> instruction index
	seq    int
}

// target is a jump target: next (the following instruction) or a label.
type target string

const next target = ""

type insn struct {
	ins    bpf.Instruction // jumps: offsets filled in by assemble
	jt, jf target          // conditional jumps
	ja     target          // unconditional jump
}

func (a *assembler) label(name string) target { return target(name) }

func (a *assembler) newLabel() target {
	a.seq++
	return target(fmt.Sprintf("L%d", a.seq))
}

func (a *assembler) mark(t target) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[string(t)] = len(a.insns)
}

func (a *assembler) load(off uint32) {
	a.insns = append(a.insns, insn{ins: bpf.LoadAbsolute{Off: off, Size: 4}})
}

func (a *assembler) and(mask uint32) {
	a.insns = append(a.insns, insn{ins: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask}})
}

func (a *assembler) jumpIf(cond bpf.JumpTest, val uint32, jt, jf target) {
	a.insns = append(a.insns, insn{ins: bpf.JumpIf{Cond: cond, Val: val}, jt: jt, jf: jf})
}

func (a *assembler) jump(t target) {
	a.insns = append(a.insns, insn{ins: bpf.Jump{}, ja: t})
}

func (a *assembler) ret(v uint32) {
	a.insns = append(a.insns, insn{ins: bpf.RetConstant{Val: v}})
}

// tree emits a binary search over segs on the syscall number (in A).
func (a *assembler) tree(segs []segment) {
	if len(segs) == 1 {
		a.leaf(segs[0])
		return
	}
	mid := len(segs) / 2
	right := a.newLabel()
	// jge mid: fall on the long jump to the right half; else skip it.
	skip := a.newLabel()
	a.jumpIf(bpf.JumpGreaterOrEqual, uint32(segs[mid].start), next, skip)
	a.jump(right)
	a.mark(skip)
	a.tree(segs[:mid])
	a.mark(right)
	a.tree(segs[mid:])
}

// leaf returns a segment's outcome; for a conditional syscall, the outcome
// of the first rule whose conditions all hold, else the default.
func (a *assembler) leaf(s segment) {
	if s.rules == nil {
		a.ret(s.ret)
		return
	}
	for _, r := range s.rules {
		fail := a.newLabel()
		for _, c := range r.conds {
			a.cond(c, fail)
		}
		a.ret(r.ret)
		a.mark(fail)
	}
	a.jump(a.label("default"))
}

// cond emits a 64-bit comparison of an argument that falls through when it
// holds and jumps to fail otherwise.
func (a *assembler) cond(c specs.LinuxSeccompArg, fail target) {
	lo, hi := offArgs+8*uint32(c.Index), offArgs+8*uint32(c.Index)+4
	vlo, vhi := uint32(c.Value), uint32(c.Value>>32)
	pass := a.newLabel()
	switch c.Op {
	case specs.OpEqualTo:
		a.load(hi)
		a.jumpIf(bpf.JumpEqual, vhi, next, fail)
		a.load(lo)
		a.jumpIf(bpf.JumpEqual, vlo, next, fail)
	case specs.OpNotEqual:
		a.load(hi)
		a.jumpIf(bpf.JumpEqual, vhi, next, pass)
		a.load(lo)
		a.jumpIf(bpf.JumpEqual, vlo, fail, next)
	case specs.OpMaskedEqual: // (arg & value) == valueTwo
		wlo, whi := uint32(c.ValueTwo), uint32(c.ValueTwo>>32)
		a.load(hi)
		a.and(vhi)
		a.jumpIf(bpf.JumpEqual, whi, next, fail)
		a.load(lo)
		a.and(vlo)
		a.jumpIf(bpf.JumpEqual, wlo, next, fail)
	case specs.OpLessThan, specs.OpLessEqual:
		a.load(hi)
		a.jumpIf(bpf.JumpGreaterThan, vhi, fail, next)
		a.jumpIf(bpf.JumpEqual, vhi, next, pass) // hi < vhi
		a.load(lo)
		if c.Op == specs.OpLessThan {
			a.jumpIf(bpf.JumpGreaterOrEqual, vlo, fail, next)
		} else {
			a.jumpIf(bpf.JumpGreaterThan, vlo, fail, next)
		}
	case specs.OpGreaterThan, specs.OpGreaterEqual:
		a.load(hi)
		a.jumpIf(bpf.JumpGreaterThan, vhi, pass, next)
		a.jumpIf(bpf.JumpEqual, vhi, next, fail) // hi < vhi
		a.load(lo)
		if c.Op == specs.OpGreaterThan {
			a.jumpIf(bpf.JumpGreaterThan, vlo, next, fail)
		} else {
			a.jumpIf(bpf.JumpGreaterOrEqual, vlo, next, fail)
		}
	default: // Validate refused it; never skip a condition silently
		a.jump(fail)
	}
	a.mark(pass)
}

// errUnknownOp is reported by Validate.
var errUnknownOp = errors.New("seccomp: unsupported operator")

// Validate checks that every operator and action of p can be compiled.
func Validate(p *specs.LinuxSeccomp) error {
	if _, err := action(p.DefaultAction, p.DefaultErrnoRet); err != nil {
		return err
	}
	for _, s := range p.Syscalls {
		if _, err := action(s.Action, s.ErrnoRet); err != nil {
			return err
		}
		for _, c := range s.Args {
			switch c.Op {
			case specs.OpEqualTo, specs.OpNotEqual, specs.OpMaskedEqual, specs.OpLessThan,
				specs.OpLessEqual, specs.OpGreaterThan, specs.OpGreaterEqual:
			default:
				return fmt.Errorf("%w %q for %v", errUnknownOp, c.Op, s.Names)
			}
		}
	}
	return nil
}

// assemble resolves the jump targets and encodes the program.
func (a *assembler) assemble() ([]bpf.RawInstruction, error) {
	out := make([]bpf.RawInstruction, len(a.insns))
	for i, in := range a.insns {
		switch ins := in.ins.(type) {
		case bpf.JumpIf:
			jt, err := a.offset(i, in.jt, 255)
			if err != nil {
				return nil, err
			}
			jf, err := a.offset(i, in.jf, 255)
			if err != nil {
				return nil, err
			}
			ins.SkipTrue, ins.SkipFalse = uint8(jt), uint8(jf)
			in.ins = ins
		case bpf.Jump:
			k, err := a.offset(i, in.ja, 1<<31)
			if err != nil {
				return nil, err
			}
			ins.Skip = uint32(k)
			in.ins = ins
		}
		raw, err := in.ins.Assemble()
		if err != nil {
			return nil, err
		}
		out[i] = raw
	}
	if len(out) > 4096 { // BPF_MAXINSNS
		return nil, fmt.Errorf("seccomp: program of %d instructions is too long", len(out))
	}
	return out, nil
}

func (a *assembler) offset(i int, t target, max int) (int, error) {
	if t == next {
		return 0, nil
	}
	to, ok := a.labels[string(t)]
	if !ok {
		return 0, fmt.Errorf("seccomp: undefined label %s", t)
	}
	d := to - i - 1
	if d < 0 || d > max {
		return 0, fmt.Errorf("seccomp: jump from %d to %s (%d) out of range", i, t, to)
	}
	return d, nil
}
