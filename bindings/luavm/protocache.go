package luavm

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sync"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Compiling Min's Lua stdlib (min.kubectl is over a thousand lines) took
// about two thirds of a short `minish get pods`: gopher-lua parses with a
// yacc parser and has no bytecode dump. ProtoCache keeps the compiled
// function prototypes of trusted chunks in files, so that every process
// after the first decodes them instead (microseconds).
//
// A file's name hashes the source, the chunk name, the encoding version and
// gopher-lua's version, so an edited source or another compiler never
// meets a stale prototype. Anything wrong with the cache (no cache folder,
// a damaged file, a gopher-lua whose FunctionProto changed shape) falls
// back to compiling: the cache only ever saves time.

// protoFormat is the version of the encoding below.
const protoFormat = 1

// ProtoCache stores compiled prototypes in Dir. The zero value (no Dir)
// caches nothing.
type ProtoCache struct {
	Dir string
}

// CacheEnv names the environment variable that moves the cache ($MIN_LUA_CACHE
// = a folder) or turns it off (= off).
const CacheEnv = "MIN_LUA_CACHE"

// DefaultProtoCache is $MIN_LUA_CACHE, else $XDG_CACHE_HOME/min/lua (or
// ~/.cache/min/lua), as Go keeps its build cache; no cache when none of
// them can be found or $MIN_LUA_CACHE is "off".
func DefaultProtoCache() ProtoCache {
	switch env := os.Getenv(CacheEnv); env {
	case "off":
		return ProtoCache{}
	case "":
	default:
		return ProtoCache{Dir: env}
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ProtoCache{}
	}
	return ProtoCache{Dir: filepath.Join(dir, "min", "lua")}
}

// Compile returns the chunk src named name as a function of L, from the
// cache when it holds it, else compiled (and stored for the next process).
func (c ProtoCache) Compile(L *lua.LState, src, name string) (*lua.LFunction, error) {
	if c.Dir == "" || !canSetStringConstants() {
		return compile(L, src, name)
	}
	file := filepath.Join(c.Dir, cacheKey(src, name)+".luac")
	if data, err := os.ReadFile(file); err == nil {
		if p, err := decodeProto(data); err == nil {
			return L.NewFunctionFromProto(p), nil
		}
	}
	fn, err := compile(L, src, name)
	if err != nil {
		return nil, err
	}
	if data, err := encodeProto(fn.Proto); err == nil {
		writeAtomically(file, data) // best effort: the next process compiles again
	}
	return fn, nil
}

func cacheKey(src, name string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00", protoFormat, gopherLuaVersion(), name)
	h.Write(unsafe.Slice(unsafe.StringData(src), len(src))) // no copy: Write only reads
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// gopherLuaVersion is the version of gopher-lua linked into this binary
// ("" when the binary has no module information).
var gopherLuaVersion = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path == "github.com/yuin/gopher-lua" {
			if m.Replace != nil {
				return m.Replace.Path + "@" + m.Replace.Version
			}
			return m.Version
		}
	}
	return ""
})

// writeAtomically writes data to file through a temporary file and a
// rename, so that concurrent processes never read half a file.
func writeAtomically(file string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}

// stringConstantsOffset locates FunctionProto's unexported copy of its
// string constants, which the VM reads for GETGLOBAL, SETGLOBAL and
// string-keyed fields and which only gopher-lua's compiler fills in. It is
// checked by name and type: if a gopher-lua release changes it, the cache
// turns itself off.
var stringConstantsOffset = sync.OnceValues(func() (uintptr, bool) {
	f, ok := reflect.TypeFor[lua.FunctionProto]().FieldByName("stringConstants")
	if !ok || f.Type != reflect.TypeFor[[]string]() {
		return 0, false
	}
	return f.Offset, true
})

func canSetStringConstants() bool {
	_, ok := stringConstantsOffset()
	return ok
}

// setStringConstants fills p's string constants as the compiler does: the
// string value of each constant, "" for the others.
func setStringConstants(p *lua.FunctionProto) {
	off, _ := stringConstantsOffset()
	s := make([]string, len(p.Constants))
	for i, c := range p.Constants {
		if str, ok := c.(lua.LString); ok {
			s[i] = string(str)
		}
	}
	*(*[]string)(unsafe.Add(unsafe.Pointer(p), off)) = s
}

// Constant tags of the encoding.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagNumber
	tagString
)

var errProtoEncoding = errors.New("luavm: unsupported constant in a function prototype")

// encodeProto writes p and its nested prototypes.
func encodeProto(p *lua.FunctionProto) ([]byte, error) {
	var w protoWriter
	w.uvarint(protoFormat)
	if err := w.proto(p); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

type protoWriter struct{ buf bytes.Buffer }

func (w *protoWriter) uvarint(v uint64) { w.buf.Write(binary.AppendUvarint(nil, v)) }
func (w *protoWriter) varint(v int)     { w.buf.Write(binary.AppendVarint(nil, int64(v))) }
func (w *protoWriter) str(s string)     { w.uvarint(uint64(len(s))); w.buf.WriteString(s) }

func (w *protoWriter) proto(p *lua.FunctionProto) error {
	w.str(p.SourceName)
	w.varint(p.LineDefined)
	w.varint(p.LastLineDefined)
	w.buf.Write([]byte{p.NumUpvalues, p.NumParameters, p.IsVarArg, p.NumUsedRegisters})
	w.uvarint(uint64(len(p.Code)))
	for _, c := range p.Code {
		w.uvarint(uint64(c))
	}
	w.uvarint(uint64(len(p.Constants)))
	for _, c := range p.Constants {
		if err := w.constant(c); err != nil {
			return err
		}
	}
	w.uvarint(uint64(len(p.FunctionPrototypes)))
	for _, f := range p.FunctionPrototypes {
		if err := w.proto(f); err != nil {
			return err
		}
	}
	w.uvarint(uint64(len(p.DbgSourcePositions)))
	for _, pos := range p.DbgSourcePositions {
		w.varint(pos)
	}
	w.uvarint(uint64(len(p.DbgLocals)))
	for _, l := range p.DbgLocals {
		w.str(l.Name)
		w.varint(l.StartPc)
		w.varint(l.EndPc)
	}
	w.uvarint(uint64(len(p.DbgCalls)))
	for _, c := range p.DbgCalls {
		w.str(c.Name)
		w.varint(c.Pc)
	}
	w.uvarint(uint64(len(p.DbgUpvalues)))
	for _, u := range p.DbgUpvalues {
		w.str(u)
	}
	return nil
}

func (w *protoWriter) constant(c lua.LValue) error {
	switch v := c.(type) {
	case *lua.LNilType:
		w.buf.WriteByte(tagNil)
	case lua.LBool:
		w.buf.WriteByte(map[bool]byte{false: tagFalse, true: tagTrue}[bool(v)])
	case lua.LNumber:
		w.buf.WriteByte(tagNumber)
		w.buf.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(float64(v))))
	case lua.LString:
		w.buf.WriteByte(tagString)
		w.str(string(v))
	default:
		return fmt.Errorf("%w: %s", errProtoEncoding, c.Type())
	}
	return nil
}

// decodeProto reads what encodeProto wrote. It keeps data: the names and
// string constants of the prototypes are slices of it, not copies (a cold
// process pays for every fresh page of heap, and they were most of it).
func decodeProto(data []byte) (p *lua.FunctionProto, err error) {
	r := protoReader{data: data, text: unsafe.String(unsafe.SliceData(data), len(data))}
	defer func() {
		if recover() != nil { // a damaged file: index out of range
			p, err = nil, errors.New("luavm: damaged prototype cache file")
		}
	}()
	if r.uvarint() != protoFormat {
		return nil, errors.New("luavm: prototype cache of another format")
	}
	p = r.proto()
	if len(r.data) != 0 {
		return nil, errors.New("luavm: trailing bytes in a prototype cache file")
	}
	return p, nil
}

// protoReader panics on short input; decodeProto recovers. text is the
// whole input as a string, which data is a tail of.
type protoReader struct {
	data []byte
	text string
}

func (r *protoReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		panic("short")
	}
	r.data = r.data[n:]
	return v
}

func (r *protoReader) varint() int {
	v, n := binary.Varint(r.data)
	if n <= 0 {
		panic("short")
	}
	r.data = r.data[n:]
	return int(v)
}

func (r *protoReader) bytes(n uint64) []byte {
	b := r.data[:n]
	r.data = r.data[n:]
	return b
}

// str returns the next string as a slice of r.text.
func (r *protoReader) str() string {
	n := r.uvarint()
	start := len(r.text) - len(r.data)
	r.bytes(n)
	return r.text[start : start+int(n)]
}

// count reads a length and checks it against what is left (each element
// takes at least one byte), so a damaged length cannot ask for a huge
// allocation.
func (r *protoReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.data)) {
		panic("bad length")
	}
	return int(n)
}

func (r *protoReader) proto() *lua.FunctionProto {
	p := &lua.FunctionProto{SourceName: r.str(), LineDefined: r.varint(), LastLineDefined: r.varint()}
	b := r.bytes(4)
	p.NumUpvalues, p.NumParameters, p.IsVarArg, p.NumUsedRegisters = b[0], b[1], b[2], b[3]
	p.Code = make([]uint32, r.count())
	for i := range p.Code {
		p.Code[i] = uint32(r.uvarint())
	}
	p.Constants = make([]lua.LValue, r.count())
	for i := range p.Constants {
		p.Constants[i] = r.constant()
	}
	p.FunctionPrototypes = make([]*lua.FunctionProto, r.count())
	for i := range p.FunctionPrototypes {
		p.FunctionPrototypes[i] = r.proto()
	}
	p.DbgSourcePositions = make([]int, r.count())
	for i := range p.DbgSourcePositions {
		p.DbgSourcePositions[i] = r.varint()
	}
	p.DbgLocals = make([]*lua.DbgLocalInfo, r.count())
	locals := make([]lua.DbgLocalInfo, len(p.DbgLocals)) // one allocation for all
	for i := range p.DbgLocals {
		locals[i] = lua.DbgLocalInfo{Name: r.str(), StartPc: r.varint(), EndPc: r.varint()}
		p.DbgLocals[i] = &locals[i]
	}
	p.DbgCalls = make([]lua.DbgCall, r.count())
	for i := range p.DbgCalls {
		p.DbgCalls[i] = lua.DbgCall{Name: r.str(), Pc: r.varint()}
	}
	p.DbgUpvalues = make([]string, r.count())
	for i := range p.DbgUpvalues {
		p.DbgUpvalues[i] = r.str()
	}
	setStringConstants(p)
	return p
}

func (r *protoReader) constant() lua.LValue {
	switch tag := r.bytes(1)[0]; tag {
	case tagNil:
		return lua.LNil
	case tagFalse:
		return lua.LFalse
	case tagTrue:
		return lua.LTrue
	case tagNumber:
		return lua.LNumber(math.Float64frombits(binary.LittleEndian.Uint64(r.bytes(8))))
	case tagString:
		return lua.LString(r.str())
	default:
		panic(fmt.Sprintf("constant tag %d", tag))
	}
}
