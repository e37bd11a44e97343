package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/buntdb"

	"github.com/minspace/min/engine/api"
)

// On disk every object is one buntdb key "<resource>/<namespace>/<name>"
// (cluster-scoped: "<resource>//<name>") whose value is
// "<resourceVersion>\n<object JSON without metadata.resourceVersion>".
// Keeping the revision out of the JSON lets a write compare the new JSON
// with the stored one (an update that changes nothing writes nothing, as in
// Kubernetes) and marshal outside the store's lock. The key "~rev" holds the
// revision of the last deletion, written in the same transaction; on open
// the store revision is the largest of "~rev" and every object's revision,
// which is the revision of the last write whatever it was.
const (
	revKey    = "~rev"
	formatKey = "~format"
	format    = "1"
)

func dbKey(t *table, k objKey) string {
	return t.kind.Resource + "/" + k.namespace + "/" + k.name
}

// encode returns obj's JSON without its resourceVersion, in a buffer
// from the pool (give it back with release once the JSON is copied). obj
// must be a private copy: its resourceVersion is cleared.
func encode(obj api.Object) (*bytes.Buffer, []byte, error) {
	obj.GetObjectMeta().ResourceVersion = ""
	buf := encodeBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(obj); err != nil {
		release(buf)
		return nil, nil, fmt.Errorf("store: encode %T: %w", obj, err)
	}
	b := buf.Bytes()
	return buf, b[:len(b)-1], nil // Encode ends with a newline that Marshal does not write
}

// encodeBuffers saves an allocation and a copy per write: the JSON is
// copied once, into the value buntdb and the entry share.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// release gives a buffer back to the pool, unless it grew for a large
// object.
func release(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= 64<<10 {
		encodeBuffers.Put(buf)
	}
}

func setRV(obj api.Object, rev int64) {
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
}

// persistSet writes the object's value and returns the stored JSON
// (sharing buntdb's memory). The object's value carries the revision, so
// "~rev" need not be written too.
func (s *Store) persistSet(key string, raw []byte, rev int64) (string, error) {
	var b strings.Builder // one copy of raw, shared by buntdb and the entry
	b.Grow(20 + len(raw))
	b.WriteString(strconv.FormatInt(rev, 10))
	b.WriteByte('\n')
	n := b.Len()
	b.Write(raw)
	val := b.String()
	err := s.db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(key, val, nil)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: write %s: %w", key, err)
	}
	s.touch()
	return val[n:], nil
}

// touch tells the syncer that the file changed (SyncAlways has fsynced
// already).
func (s *Store) touch() {
	if s.opts.Sync == SyncEverySecond {
		s.syncer.touch()
	}
}

// persistDelete removes key and records the new revision in one transaction.
func (s *Store) persistDelete(key string, rev int64) error {
	err := s.db.Update(func(tx *buntdb.Tx) error {
		if _, err := tx.Delete(key); err != nil {
			return err
		}
		_, _, err := tx.Set(revKey, strconv.FormatInt(rev, 10), nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", key, err)
	}
	s.touch()
	return nil
}

// item is one stored object as read from buntdb, before and after decoding.
type item struct {
	key, val string
	t        *table
	e        *entry
	rev      int64
	err      error
}

// load reads every object, decoding in parallel, then fills the tables.
// The revision is the largest of "~rev" (the last deletion) and every
// object's resourceVersion.
func (s *Store) load() error {
	var items []item
	err := s.db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get(revKey); err == nil {
			if s.rev, err = strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("%w: %s = %q", ErrCorrupt, revKey, v)
			}
		}
		return tx.Ascend("", func(k, v string) bool {
			if !strings.HasPrefix(k, "~") {
				items = append(items, item{key: k, val: v})
			}
			return true
		})
	})
	if err != nil {
		return fmt.Errorf("store: load: %w", err)
	}
	s.decodeAll(items)
	for i := range items {
		it := &items[i]
		if it.err != nil {
			return it.err
		}
		it.t.put(it.e)
		s.rev = max(s.rev, it.rev)
	}
	return s.writeFormat()
}

// decodeAll decodes items on every CPU.
func (s *Store) decodeAll(items []item) {
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(items) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(items); lo += chunk {
		part := items[lo:min(lo+chunk, len(items))]
		wg.Go(func() {
			for i := range part {
				s.decode(&part[i])
			}
		})
	}
	wg.Wait()
}

func (s *Store) decode(it *item) {
	resource, rest, ok1 := strings.Cut(it.key, "/")
	ns, name, ok2 := strings.Cut(rest, "/")
	revStr, raw, ok3 := strings.Cut(it.val, "\n")
	t := s.byRes[resource]
	if !ok1 || !ok2 || !ok3 || t == nil {
		it.err = fmt.Errorf("store: %w: unexpected key %q", ErrCorrupt, it.key)
		return
	}
	rev, err := strconv.ParseInt(revStr, 10, 64)
	if err != nil {
		it.err = fmt.Errorf("store: %w: %s: bad revision %q", ErrCorrupt, it.key, revStr)
		return
	}
	obj := t.kind.New()
	if err := json.Unmarshal([]byte(raw), obj); err != nil {
		it.err = fmt.Errorf("store: %w: %s: %w", ErrCorrupt, it.key, err)
		return
	}
	setRV(obj, rev)
	it.t, it.rev = t, rev
	it.e = &entry{key: objKey{ns, name}, obj: obj, raw: raw}
}

// writeFormat records the on-disk format in a new file, and refuses a file
// written by a newer format.
func (s *Store) writeFormat() error {
	return s.db.Update(func(tx *buntdb.Tx) error {
		v, err := tx.Get(formatKey)
		switch {
		case err == buntdb.ErrNotFound:
			_, _, err = tx.Set(formatKey, format, nil)
			return err
		case err != nil:
			return err
		case v != format:
			return fmt.Errorf("store: %w: format %q, this Min reads %q", ErrCorrupt, v, format)
		}
		return nil
	})
}
