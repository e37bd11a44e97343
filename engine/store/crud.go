package store

import (
	"bytes"
	"fmt"
	"strconv"
	"unsafe"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/minspace/min/engine/api"
)

// Event types, as Kubernetes spells them.
const (
	Added    = "ADDED"
	Modified = "MODIFIED"
	Deleted  = "DELETED"
)

// draft is an object prepared for a write outside the lock: a private copy
// with its JSON.
type draft struct {
	t      *table
	key    objKey
	obj    api.Object // resourceVersion cleared
	raw    []byte     // obj's JSON, in buf (and then in val, see frame)
	buf    *bytes.Buffer
	val    []byte // revision room, newline, JSON: the stored value's memory
	rv     string // the resourceVersion the caller sent, or read
	create bool
}

// prepare checks obj's name and namespace, copies it, sets its TypeMeta
// and encodes it.
func (s *Store) prepare(obj api.Object) (*draft, error) {
	if _, err := s.tableOf(obj); err != nil {
		return nil, err
	}
	return s.prepareOwned(obj.DeepCopyObject())
}

// prepareOwned is prepare for an object the store may keep as it is.
func (s *Store) prepareOwned(obj api.Object) (*draft, error) {
	t, err := s.tableOf(obj)
	if err != nil {
		return nil, err
	}
	m := obj.GetObjectMeta()
	if err := t.checkKey(m); err != nil {
		return nil, err
	}
	// Stored objects always say what they are; the Go type decides.
	*obj.GetTypeMeta() = api.TypeMeta{APIVersion: "v1", Kind: t.kind.Kind}
	d := &draft{t: t, key: objKey{m.Namespace, m.Name}, obj: obj, rv: m.ResourceVersion}
	if d.buf, d.raw, err = encode(obj); err != nil {
		return nil, err
	}
	return d, nil
}

// release gives the draft's buffer back once its JSON has been copied.
func (d *draft) release() {
	if d != nil {
		release(d.buf)
		d.buf, d.raw = nil, nil
	}
}

// revRoom is the room a value keeps for its revision (int64 has at most
// 19 digits).
const revRoom = 20

// frame copies the JSON, outside the store's lock, into the buffer the
// stored value is cut from: revRoom bytes for the revision, a newline,
// the JSON. Done under the lock, this copy was a quarter of the time
// writers held it.
func (d *draft) frame() {
	d.val = make([]byte, revRoom+1+len(d.raw))
	d.val[revRoom] = '\n'
	copy(d.val[revRoom+1:], d.raw)
	d.release()
	d.raw = d.val[revRoom+1:]
}

// value writes rev in front of the framed JSON and returns the stored
// value "<rev>\n<json>" without copying it. It is called once per draft,
// under the lock; the draft's buffer is never written again, so the string
// may share it (as strings.Builder does).
func (d *draft) value(rev int64) string {
	var digits [revRoom]byte
	n := strconv.AppendInt(digits[:0], rev, 10)
	start := revRoom - len(n)
	copy(d.val[start:], n)
	return unsafe.String(&d.val[start], len(d.val)-start)
}

// checkKey refuses an object the store cannot name.
func (t *table) checkKey(m *api.ObjectMeta) error {
	if m.Name != "" && (m.Namespace != "") == t.kind.Namespaced {
		return nil // the path below costs allocations at every write
	}
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	if m.Name == "" {
		errs = append(errs, field.Required(meta.Child("name"), "name or generateName is required"))
	}
	if t.kind.Namespaced && m.Namespace == "" {
		errs = append(errs, field.Required(meta.Child("namespace"), ""))
	}
	if !t.kind.Namespaced && m.Namespace != "" {
		errs = append(errs, field.Forbidden(meta.Child("namespace"), "not allowed on this type"))
	}
	if len(errs) > 0 {
		return api.NewInvalid(t.kind.Kind, m.Name, errs)
	}
	return nil
}

// Create stores a new object and returns a copy of it with its
// resourceVersion. The object needs a name, and a namespace if its kind
// is namespaced.
func (s *Store) Create(obj api.Object) (api.Object, error) {
	if _, err := s.tableOf(obj); err != nil {
		return nil, err
	}
	r := s.Apply([]Op{{Create: obj.DeepCopyObject()}})[0]
	if r.Err != nil {
		return nil, r.Err
	}
	return r.Object.DeepCopyObject(), nil
}

// CreateShared is Create for a caller that hands obj over (it must not
// touch it afterwards) and takes the stored object back without a copy
// (it must never change it).
func (s *Store) CreateShared(obj api.Object) (api.Object, error) {
	if _, err := s.tableOf(obj); err != nil {
		return nil, err
	}
	r := s.Apply([]Op{{Create: obj}})[0]
	return r.Object, r.Err
}

// Get returns a private copy of one object.
func (s *Store) Get(resource, namespace, name string) (api.Object, error) {
	obj, err := s.GetShared(resource, namespace, name)
	if err != nil {
		return nil, err
	}
	return obj.DeepCopyObject(), nil
}

// GetShared returns the stored object itself, without a copy: it is shared
// with the store and every other reader and must never be changed.
func (s *Store) GetShared(resource, namespace, name string) (api.Object, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, ErrClosed
	}
	var obj api.Object
	e, ok := t.entries[objKey{t.scope(namespace), name}]
	if ok {
		obj = e.obj // an update replaces e.obj: read it under the lock
	}
	s.mu.RUnlock()
	if !ok {
		return nil, api.NewNotFound(resource, name)
	}
	return obj, nil
}

// Update replaces an object. A non-empty resourceVersion must equal the
// stored one (else Conflict); an empty one updates unconditionally. An
// update that changes nothing returns the stored object without writing.
func (s *Store) Update(obj api.Object) (api.Object, error) {
	d, err := s.prepare(obj)
	if err != nil {
		return nil, err
	}
	stored, err := s.update(d, d.rv)
	d.release()
	if err != nil {
		return nil, err
	}
	return stored.DeepCopyObject(), nil
}

func (s *Store) update(d *draft, rv string) (api.Object, error) {
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return nil, ErrClosed
	}
	e, ok := d.t.entries[d.key]
	if !ok {
		return nil, api.NewNotFound(d.t.kind.Resource, d.key.name)
	}
	if rv != "" && rv != e.obj.GetObjectMeta().ResourceVersion {
		return nil, api.NewConflict(d.t.kind.Resource, d.key.name, api.ConflictModified)
	}
	if string(d.raw) == e.raw {
		return e.obj, nil
	}
	rev := s.rev + 1
	raw, err := s.persistSet(dbKey(d.t, d.key), d.raw, rev)
	if err != nil {
		return nil, err
	}
	setRV(d.obj, rev)
	prev := e.obj
	d.t.replace(e, d.obj, raw)
	s.commit(change{rev: rev, t: d.t, typ: Modified, obj: d.obj, prev: prev})
	return d.obj, nil
}

// GuaranteedUpdate reads the object, calls fn with a private copy and
// stores what fn returns, atomically: if another write got in between, it
// reads again and calls fn again. An error from fn aborts and is returned
// as is. fn must not change the name or namespace.
func (s *Store) GuaranteedUpdate(resource, namespace, name string, fn func(cur api.Object) (api.Object, error)) (api.Object, error) {
	obj, err := s.GuaranteedUpdateShared(resource, namespace, name, fn)
	if err != nil {
		return nil, err
	}
	return obj.DeepCopyObject(), nil
}

// GuaranteedUpdateShared is GuaranteedUpdate returning the stored object
// itself, which must never be changed.
func (s *Store) GuaranteedUpdateShared(resource, namespace, name string, fn func(cur api.Object) (api.Object, error)) (api.Object, error) {
	r := s.Apply([]Op{{Resource: resource, Namespace: namespace, Name: name, Update: fn}})[0]
	return r.Object, r.Err
}

// Delete removes an object and returns its last state, whose
// resourceVersion is the revision of the deletion. A non-empty
// preconditionUID must equal the object's uid (else Conflict).
func (s *Store) Delete(resource, namespace, name string, preconditionUID string) (api.Object, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return nil, err
	}
	gone, err := s.delete(t, objKey{t.scope(namespace), name}, preconditionUID)
	if err != nil {
		return nil, err
	}
	return gone.DeepCopyObject(), nil
}

func (s *Store) delete(t *table, k objKey, uid string) (api.Object, error) {
	s.mu.Lock()
	defer s.unlock()
	if s.closed {
		return nil, ErrClosed
	}
	e, ok := t.entries[k]
	if !ok {
		return nil, api.NewNotFound(t.kind.Resource, k.name)
	}
	if have := e.obj.GetObjectMeta().UID; uid != "" && uid != have {
		return nil, api.NewConflict(t.kind.Resource, k.name,
			fmt.Sprintf("Precondition failed: UID in precondition: %v, UID in object meta: %v", uid, have))
	}
	rev := s.rev + 1
	if err := s.persistDelete(dbKey(t, k), rev); err != nil {
		return nil, err
	}
	t.remove(k)
	gone := e.obj.DeepCopyObject()
	setRV(gone, rev)
	s.commit(change{rev: rev, t: t, typ: Deleted, obj: gone, prev: e.obj})
	return gone, nil
}
