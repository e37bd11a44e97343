package store

import (
	"errors"
	"fmt"

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
	t   *table
	key objKey
	obj api.Object // resourceVersion cleared
	raw []byte     // obj's JSON
	rv  string     // the resourceVersion the caller sent
}

// prepare checks obj's name and namespace, copies it, sets its TypeMeta
// and encodes it.
func (s *Store) prepare(obj api.Object) (*draft, error) {
	t, err := s.tableOf(obj)
	if err != nil {
		return nil, err
	}
	m := obj.GetObjectMeta()
	if err := t.checkKey(m); err != nil {
		return nil, err
	}
	c := obj.DeepCopyObject()
	// Stored objects always say what they are; the Go type decides.
	*c.GetTypeMeta() = api.TypeMeta{APIVersion: "v1", Kind: t.kind.Kind}
	d := &draft{t: t, key: objKey{m.Namespace, m.Name}, obj: c, rv: m.ResourceVersion}
	if d.raw, err = encode(c); err != nil {
		return nil, err
	}
	return d, nil
}

// checkKey refuses an object the store cannot name.
func (t *table) checkKey(m *api.ObjectMeta) error {
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
	d, err := s.prepare(obj)
	if err != nil {
		return nil, err
	}
	stored, err := s.create(d)
	if err != nil {
		return nil, err
	}
	return stored.DeepCopyObject(), nil
}

func (s *Store) create(d *draft) (api.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if _, ok := d.t.entries[d.key]; ok {
		return nil, api.NewAlreadyExists(d.t.kind.Resource, d.key.name)
	}
	rev := s.rev + 1
	raw, err := s.persistSet(dbKey(d.t, d.key), d.raw, rev)
	if err != nil {
		return nil, err
	}
	setRV(d.obj, rev)
	d.t.put(&entry{key: d.key, obj: d.obj, raw: raw})
	s.commit(change{rev: rev, t: d.t, typ: Added, obj: d.obj})
	return d.obj, nil
}

// Get returns a private copy of one object.
func (s *Store) Get(resource, namespace, name string) (api.Object, error) {
	t, err := s.tableFor(resource)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, ErrClosed
	}
	e, ok := t.entries[objKey{t.scope(namespace), name}]
	var obj api.Object
	if ok {
		obj = e.obj
	}
	s.mu.RUnlock()
	if !ok {
		return nil, api.NewNotFound(resource, name)
	}
	return obj.DeepCopyObject(), nil
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
	if err != nil {
		return nil, err
	}
	return stored.DeepCopyObject(), nil
}

func (s *Store) update(d *draft, rv string) (api.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	d.t.put(&entry{key: d.key, obj: d.obj, raw: raw})
	s.commit(change{rev: rev, t: d.t, typ: Modified, obj: d.obj, prev: prev})
	return d.obj, nil
}

// GuaranteedUpdate reads the object, calls fn with a private copy and
// stores what fn returns, atomically: if another write got in between, it
// reads again and calls fn again. An error from fn aborts and is returned
// as is. fn must not change the name or namespace.
func (s *Store) GuaranteedUpdate(resource, namespace, name string, fn func(cur api.Object) (api.Object, error)) (api.Object, error) {
	for {
		cur, err := s.Get(resource, namespace, name)
		if err != nil {
			return nil, err
		}
		rv := cur.GetObjectMeta().ResourceVersion
		next, err := fn(cur)
		if err != nil {
			return nil, err
		}
		d, err := s.prepare(next)
		if err != nil {
			return nil, err
		}
		if d.t.kind.Resource != resource || d.key != (objKey{d.t.scope(namespace), name}) {
			return nil, api.NewBadRequest(fmt.Sprintf("store: update of %s %q may not change its kind, namespace or name", resource, name))
		}
		stored, err := s.update(d, rv)
		if errors.Is(err, api.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return stored.DeepCopyObject(), nil
	}
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
	defer s.mu.Unlock()
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
