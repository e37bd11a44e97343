package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// repairTail cuts path after its last complete buntdb command and returns
// how many bytes it dropped.
//
// buntdb's own loader (buntdb.go, DB.load in v1.3.0) truncates a file that
// ends in the middle of a command, but refuses to open one that ends in
// bytes that are not a command (ErrInvalid), and miscounts the cut when NUL
// bytes precede the torn command. A crash can leave either, so the store
// checks the whole file with the same grammar before buntdb sees it. The
// parse mirrors buntdb's readLoad: "*<n>\r\n" then n times "$<len>\r\n<bytes>\r\n";
// commands are SET key value [EX|AE secs], DEL key and FLUSHDB; NUL bytes
// between commands are skipped.
func repairTail(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	good, err := validPrefix(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("store: check %s: %w", path, err)
	}
	dropped := fi.Size() - good
	if dropped == 0 {
		return 0, nil
	}
	if err := f.Truncate(good); err != nil {
		return 0, fmt.Errorf("store: repair %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("store: repair %s: %w", path, err)
	}
	return dropped, nil
}

// errBadCommand marks the first byte that is not part of a complete command.
var errBadCommand = errors.New("bad command")

// validPrefix returns the length of the longest prefix of r made of
// complete, valid commands. Only read errors other than EOF are returned.
func validPrefix(r *bufio.Reader) (int64, error) {
	var good, off int64
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			return good, nil
		}
		if err != nil {
			return 0, err
		}
		off++
		if c == 0 {
			continue // buntdb skips NULs between commands
		}
		_ = r.UnreadByte()
		off--
		n, err := command(r)
		switch {
		case err == nil:
			off += n
			good = off
		case errors.Is(err, errBadCommand), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return good, nil
		default:
			return 0, err
		}
	}
}

// command reads one command and returns its length in bytes.
func command(r *bufio.Reader) (int64, error) {
	n, size, err := header(r, '*')
	if err != nil {
		return 0, err
	}
	parts := make([]string, 0, 5)
	for range n {
		l, hsize, err := header(r, '$')
		if err != nil {
			return 0, err
		}
		size += hsize + int64(l) + 2
		part, err := body(r, l, len(parts) == 0 || len(parts) >= 3)
		if err != nil {
			return 0, err
		}
		parts = append(parts, part)
	}
	if !validCommand(parts) {
		return 0, errBadCommand
	}
	return size, nil
}

// header reads "<sign><decimal>\r\n" as buntdb does.
func header(r *bufio.Reader, sign byte) (int, int64, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, 0, errBadCommand
		}
		return 0, 0, err
	}
	if len(line) < 4 || line[0] != sign || line[len(line)-2] != '\r' {
		return 0, 0, errBadCommand
	}
	n := 0
	for _, d := range line[1 : len(line)-2] {
		if d < '0' || d > '9' || n > 1<<31 {
			return 0, 0, errBadCommand
		}
		n = n*10 + int(d-'0')
	}
	return n, int64(len(line)), nil
}

// body reads l bytes and the "\r\n" after them; it keeps the bytes only
// when asked (the command name and SET's options), skipping values.
func body(r *bufio.Reader, l int, keep bool) (string, error) {
	var s string
	if keep && l <= 64 {
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		s = string(b)
	} else if _, err := r.Discard(l); err != nil {
		return "", err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(r, crlf[:]); err != nil {
		return "", err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return "", errBadCommand
	}
	return s, nil
}

// validCommand applies buntdb's checks on a parsed command.
func validCommand(parts []string) bool {
	if len(parts) == 0 {
		return true
	}
	name := strings.ToLower(parts[0])
	switch {
	case strings.HasPrefix(name, "set"):
		if len(parts) == 3 {
			return true
		}
		if len(parts) != 5 {
			return false
		}
		arg := strings.ToLower(parts[3])
		_, err := strconv.ParseInt(parts[4], 10, 64)
		return (arg == "ex" || arg == "ae") && err == nil
	case strings.HasPrefix(name, "del"):
		return len(parts) == 2
	case name == "flushdb":
		return true
	}
	return false
}
