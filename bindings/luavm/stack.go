package luavm

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Stack levels count as in Lua 5.1: level 0 is the running function, 1 the
// function that called it, and so on. A protected call runs on a child
// thread (see protect.go); its levels continue into the thread that called
// pcall, whose level 0 there is pcall itself, so a script sees one stack.

// frameAt returns the thread and frame at level of L's stack.
func frameAt(L *lua.LState, level int) (*lua.LState, *lua.Debug, bool) {
	if level < 0 {
		return nil, nil, false
	}
	v := lookup(L)
	for th := L; th != nil; {
		if d, ok := th.GetStack(level); ok {
			if tailLevel(th, d, level) {
				return th, nil, true
			}
			return th, d, true
		}
		level -= depth(th, level)
		if v == nil {
			break
		}
		th = v.ownerOf(th)
	}
	return nil, nil, false
}

// tailLevel reports a level that stands for calls a tail call replaced.
// Lua 5.1 shows them as "(tail call)", a function with no line. gopher-lua
// counts them as levels too, but answers for them with the thread's bottom
// frame; the bottom frame's own level is the last but its tail calls.
func tailLevel(th *lua.LState, d *lua.Debug, level int) bool {
	if _, err := th.GetInfo("S", d, lua.LNil); err != nil || d.What != "main" {
		return false
	}
	return level != countLevels(th, level)-1-tailCalls(d)
}

// countLevels returns how many levels th's stack has, knowing it has more
// than known.
func countLevels(th *lua.LState, known int) int {
	hi := known + 1
	for {
		if _, ok := th.GetStack(hi); !ok {
			break
		}
		hi *= 2
	}
	return sort.Search(hi, func(i int) bool {
		_, ok := th.GetStack(i)
		return !ok
	})
}

// tailCalls returns how many tail calls the frame behind d replaced.
// gopher-lua keeps the count in the frame, which its API does not expose;
// reflection reads it (and yields 0 should the field ever go away).
func tailCalls(d *lua.Debug) int {
	f := reflect.ValueOf(d).Elem().FieldByName("frame")
	if f.Kind() != reflect.Pointer || f.IsNil() {
		return 0
	}
	if tc := f.Elem().FieldByName("TailCall"); tc.Kind() == reflect.Int {
		return int(tc.Int())
	}
	return 0
}

// depth returns how many levels th's stack has, knowing level is beyond it.
func depth(th *lua.LState, beyond int) int {
	return sort.Search(beyond, func(i int) bool {
		_, ok := th.GetStack(i)
		return !ok
	})
}

// info describes the frame at a level.
type info struct {
	source string // chunk name; "" for a Go function
	line   int    // current line; 0 for a Go function
	name   string
	what   string // "Lua", "G", "main" or "tail"
	def    int    // line where the function was defined
}

func describe(th *lua.LState, d *lua.Debug) info {
	if d == nil {
		return info{what: "tail"}
	}
	if _, err := th.GetInfo("Sln", d, lua.LNil); err != nil {
		return info{what: "G"}
	}
	i := info{name: d.Name, what: d.What, def: d.LineDefined}
	if d.CurrentLine > 0 {
		i.source, i.line = d.Source, d.CurrentLine
	}
	return i
}

// Where returns "chunk:line: " for the Lua function at level of L's stack,
// or "" when that is a Go function or there is no such level: Lua 5.1's
// luaL_where. Level 1, called from a Go binding, is the binding's caller.
func Where(L *lua.LState, level int) string {
	th, d, ok := frameAt(L, level)
	if !ok {
		return ""
	}
	i := describe(th, d)
	if i.line <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", i.source, i.line)
}

// Caller returns "chunk:line" of the first Lua function at or above level
// of L's stack, skipping Go functions (pcall, table.sort, bindings), or ""
// when there is none. Bindings use Caller(L, 1) to start their error
// messages with the line of the user's script that called them.
func Caller(L *lua.LState, level int) string {
	for ; ; level++ {
		th, d, ok := frameAt(L, level)
		if !ok {
			return ""
		}
		if i := describe(th, d); i.line > 0 {
			return fmt.Sprintf("%s:%d", i.source, i.line)
		}
	}
}

// Traceback returns msg followed by Lua 5.1's "stack traceback:" of L's
// stack from level on, through pcall children into their callers. Long
// stacks keep their first 12 and last 10 levels.
func Traceback(L *lua.LState, msg string, level int) string {
	const head, tail = 12, 10
	var lines []string
	for l := level; ; l++ {
		th, d, ok := frameAt(L, l)
		if !ok {
			break
		}
		if len(lines) == head {
			n := levels(L, l)
			if n-l > tail+1 {
				lines = append(lines, "\t...")
				l = n - tail
				th, d, _ = frameAt(L, l)
			}
		}
		lines = append(lines, "\t"+traceLine(th, d))
	}
	var b strings.Builder
	if msg != "" {
		b.WriteString(msg)
		b.WriteByte('\n')
	}
	b.WriteString("stack traceback:")
	for _, line := range lines {
		b.WriteByte('\n')
		b.WriteString(line)
	}
	return b.String()
}

// levels counts the levels of L's whole stack, knowing it has more than from.
func levels(L *lua.LState, from int) int {
	hi := from + 1
	for {
		if _, _, ok := frameAt(L, hi); !ok {
			break
		}
		hi *= 2
	}
	return from + sort.Search(hi-from, func(i int) bool {
		_, _, ok := frameAt(L, from+i)
		return !ok
	})
}

func traceLine(th *lua.LState, d *lua.Debug) string {
	i := describe(th, d)
	if i.what == "tail" {
		return "(tail call): ?"
	}
	where := "[G]:"
	if i.line > 0 {
		where = fmt.Sprintf("%s:%d:", i.source, i.line)
	}
	if i.source != "" && i.def == 0 {
		return where + " in main chunk" // only chunks start at line 0
	}
	bottom := i.what == "main"
	if bottom || i.name == "" || i.name == "(anonymous)" {
		if i.source == "" {
			return where + " ?"
		}
		return fmt.Sprintf("%s in function <%s:%d>", where, i.source, i.def)
	}
	if strings.HasPrefix(i.name, "<") {
		return where + " in function " + i.name
	}
	return fmt.Sprintf("%s in function '%s'", where, i.name)
}
