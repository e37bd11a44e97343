package store

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tidwall/buntdb"
)

// Whatever the bytes, the prefix repairTail keeps is one buntdb loads, and
// checking it again keeps all of it.
func FuzzValidPrefix(f *testing.F) {
	valid := "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\ndel\r\n$1\r\na\r\n"
	for _, seed := range []string{
		valid,
		valid + "*3\r\n$3\r\nset\r\n$1\r\na\r\n$5\r\nbc",
		valid + "garbage",
		"\x00\x00" + valid + "\x00",
		"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nex\r\n$2\r\n10\r\n",
		"*5\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nzz\r\n$2\r\n10\r\n",
		"*1\r\n$7\r\nflushdb\r\n*0\r\n",
		"*1\r\n$0\r\n\r\n",
		"*99999999999\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := validPrefix(bufio.NewReader(bytes.NewReader(data)))
		if err != nil || n < 0 || n > int64(len(data)) {
			t.Fatalf("validPrefix = %d, %v for %d bytes", n, err, len(data))
		}
		again, _ := validPrefix(bufio.NewReader(bytes.NewReader(data[:n])))
		if again != n {
			t.Fatalf("the kept prefix of %d bytes checks as %d", n, again)
		}
		path := filepath.Join(t.TempDir(), "db")
		if err := os.WriteFile(path, data[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := buntdb.Open(path)
		if err != nil {
			t.Fatalf("buntdb refuses the kept prefix %q: %v", data[:n], err)
		}
		db.Close()
	})
}
