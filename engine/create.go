package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/google/uuid"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/store"
)

// maxGenerateNameRetries is the apiserver's RetryGenerateName count.
const maxGenerateNameRetries = 8

// Create implements Interface.
func (e *Engine) Create(ctx context.Context, obj api.Object, opts CreateOptions) (api.Object, error) {
	out, err := e.create(obj.DeepCopyObject(), opts)
	if err != nil || opts.DryRun {
		return out, err
	}
	return out.DeepCopyObject(), nil
}

// create is Create for the engine's own components: obj becomes the
// store's (the caller must not touch it afterwards) and the result is the
// stored object itself, which must never be changed.
func (e *Engine) create(obj api.Object, opts CreateOptions) (api.Object, error) {
	kind, err := kindOf(obj)
	if err != nil {
		return nil, err
	}
	if err := e.prepareCreate(kind, obj); err != nil {
		return nil, err
	}
	if _, ok := obj.(*api.Node); ok {
		defer e.nodeMu.Unlock()
	}
	meta := obj.GetObjectMeta()
	if kind.Namespaced {
		if err := e.admitNamespace(kind, meta); err != nil {
			return nil, err
		}
	}
	if meta.Name != "" || meta.GenerateName == "" {
		return e.validateAndStore(kind, obj, opts)
	}
	for try := 0; ; try++ {
		meta.Name = generateName(meta.GenerateName)
		out, err := e.validateAndStore(kind, obj, opts)
		if !isAlreadyExists(err) {
			return out, err
		}
		if try+1 == maxGenerateNameRetries {
			se := api.NewAlreadyExists(kind.Resource, meta.Name)
			se.Message += ", the server was not able to generate a unique name for the object"
			return nil, se
		}
	}
}

// createOp prepares the creation of obj for a batch (store.Apply), as
// create does: server fields, defaults, namespace admission, validation.
// A generated name is tried once: on AlreadyExists, create the object
// with create, which tries again. Nodes are not for batches.
func (e *Engine) createOp(obj api.Object) (store.Op, error) {
	kind, err := kindOf(obj)
	if err != nil {
		return store.Op{}, err
	}
	if _, ok := obj.(*api.Node); ok {
		return store.Op{}, api.NewBadRequest("engine: nodes are created one at a time")
	}
	if err := e.prepareCreate(kind, obj); err != nil {
		return store.Op{}, err
	}
	meta := obj.GetObjectMeta()
	if kind.Namespaced {
		if err := e.admitNamespace(kind, meta); err != nil {
			return store.Op{}, err
		}
	}
	if meta.Name == "" && meta.GenerateName != "" {
		meta.Name = generateName(meta.GenerateName)
	}
	if errs := api.ValidateObject(obj); len(errs) > 0 {
		return store.Op{}, api.InvalidError(obj, errs)
	}
	return store.Op{Create: obj}, nil
}

// prepareCreate sets what the server owns on create and applies defaults.
func (e *Engine) prepareCreate(kind api.Kind, obj api.Object) error {
	tm, meta := obj.GetTypeMeta(), obj.GetObjectMeta()
	tm.APIVersion, tm.Kind = "v1", kind.Kind
	if meta.ResourceVersion != "" {
		return api.NewBadRequest("resourceVersion should not be set on objects to be created")
	}
	if kind.Namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	if !kind.Namespaced {
		meta.Namespace = ""
	}
	meta.UID = uuid.NewString()
	meta.CreationTimestamp = e.now()
	meta.DeletionTimestamp, meta.DeletionGracePeriodSeconds = nil, nil
	meta.Generation = 0
	switch o := obj.(type) {
	case *api.Pod:
		meta.Generation = 1
		o.Status = api.PodStatus{Phase: "Pending"}
	case *api.ReplicationController:
		meta.Generation = 1
		o.Status = api.ReplicationControllerStatus{}
	case *api.Namespace:
		o.Status = api.NamespaceStatus{Phase: "Active"}
	case *api.Node:
		e.nodeMu.Lock() // released in Create, after the node is stored
		if err := e.prepareNode(o); err != nil {
			e.nodeMu.Unlock()
			return err
		}
	}
	api.SetDefaults(obj)
	return nil
}

// admitNamespace refuses content for a missing or terminating namespace.
func (e *Engine) admitNamespace(kind api.Kind, meta *api.ObjectMeta) error {
	o, err := e.store.GetShared("namespaces", "", meta.Namespace)
	if errors.Is(err, api.ErrNotFound) {
		return api.NewNotFound("namespaces", meta.Namespace)
	}
	if err != nil {
		return err
	}
	if o.(*api.Namespace).Status.Phase == "Terminating" {
		name := meta.Name
		if name == "" {
			name = meta.GenerateName
		}
		return api.NewForbidden(kind.Resource, name, fmt.Sprintf(
			"unable to create new content in namespace %s because it is being terminated", meta.Namespace))
	}
	return nil
}

func (e *Engine) validateAndStore(kind api.Kind, obj api.Object, opts CreateOptions) (api.Object, error) {
	if errs := api.ValidateObject(obj); len(errs) > 0 {
		return nil, api.InvalidError(obj, errs)
	}
	if opts.DryRun {
		return obj, nil
	}
	return e.store.CreateShared(obj)
}

// generateName appends 5 random characters from the apiserver's alphabet
// to the prefix, cut to 58 bytes (as k8s.io/apiserver/pkg/storage/names).
func generateName(prefix string) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	if len(prefix) > 58 {
		prefix = prefix[:58]
	}
	b := []byte(prefix)
	for range 5 {
		b = append(b, alphabet[rand.IntN(len(alphabet))])
	}
	return string(b)
}

func isAlreadyExists(err error) bool { return errors.Is(err, api.ErrAlreadyExists) }
