package api

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FieldImmutable is Kubernetes' text for a changed immutable field
// (apimachinery's api/validation.FieldImmutableErrorMsg). This package
// copies the few constants and name rules it needs from that package
// rather than importing it: it links apimachinery's meta/v1 and runtime,
// whose initialisers every minish process would pay at start-up. A test
// keeps the copies equal to the originals.
const FieldImmutable = "field is immutable"

// TotalAnnotationSizeLimit is the most bytes (keys plus values) an object's
// annotations may hold: 256 KiB.
const TotalAnnotationSizeLimit = 256 * (1 << 10)

// ValidateObject checks obj as Kubernetes does on create and returns every
// problem found, each with its field path and Kubernetes' text. Call it
// after SetDefaults (defaulted fields left empty are reported as required).
// A name still to be generated (generateName set, name empty) is not an
// error here; the generated name is checked when validated again.
func ValidateObject(obj Object) field.ErrorList {
	switch o := obj.(type) {
	case *Pod:
		return validatePod(o)
	case *ReplicationController:
		return validateRC(o)
	case *Namespace:
		return validateNamespace(o)
	case *Node:
		return validateNode(o)
	case *Event:
		return validateMeta(&o.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	}
	return field.ErrorList{field.InternalError(nil, fmt.Errorf("no validation for %T", obj))}
}

// ValidateUpdate checks obj as a replacement for old: the immutable
// metadata (name, namespace, uid, creationTimestamp…), what Kubernetes
// keeps immutable in the spec, and everything ValidateObject checks.
func ValidateUpdate(obj, old Object) field.ErrorList {
	errs := validateMetaUpdate(obj.GetObjectMeta(), old.GetObjectMeta(), field.NewPath("metadata"))
	switch o := obj.(type) {
	case *Pod:
		if p, ok := old.(*Pod); ok {
			errs = append(errs, validatePodSpecUpdate(&o.Spec, &p.Spec, field.NewPath("spec"))...)
		}
	case *Node:
		if n, ok := old.(*Node); ok {
			errs = append(errs, validateNodeSpecUpdate(&o.Spec, &n.Spec, field.NewPath("spec"))...)
		}
	}
	return append(errs, ValidateObject(obj)...)
}

// InvalidError wraps errs as the Invalid API error for obj:
// `Pod "x" is invalid: ...`. It returns nil when errs is empty.
func InvalidError(obj Object, errs field.ErrorList) *StatusError {
	if len(errs) == 0 {
		return nil
	}
	name := obj.GetObjectMeta().Name
	if k, ok := KindOf(obj); ok {
		return NewInvalid(k.Kind, name, errs)
	}
	return NewInvalid(obj.GetTypeMeta().Kind, name, errs)
}

// NameIsDNSSubdomain is the name rule of pods, nodes and RCs; with prefix,
// a trailing dash is allowed (generateName).
func NameIsDNSSubdomain(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return validation.IsDNS1123Subdomain(name)
}

// NameIsDNSLabel is the name rule of namespaces (no dots, at most 63).
func NameIsDNSLabel(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return validation.IsDNS1123Label(name)
}

// maskTrailingDash lets a generateName prefix end in a dash, as
// apimachinery's name validation does: the dash and the character
// before it become "a".
func maskTrailingDash(name string) string {
	if len(name) > 1 && strings.HasSuffix(name, "-") {
		return name[:len(name)-2] + "a"
	}
	return name
}

// ValidateLabelKey returns Kubernetes' messages for a bad label key
// (a qualified name), or nil.
func ValidateLabelKey(key string) []string { return validation.IsQualifiedName(key) }

// ValidateLabelValue returns Kubernetes' messages for a bad label value,
// or nil.
func ValidateLabelValue(value string) []string { return validation.IsValidLabelValue(value) }

// ValidateAnnotationKey returns the messages for a bad annotation key:
// the label-key rules applied to the lower-cased key.
func ValidateAnnotationKey(key string) []string {
	return validation.IsQualifiedName(strings.ToLower(key))
}

// ValidateLabels reports every bad key and value of labels on fldPath
// (metadata.labels, spec.nodeSelector…), keys in sorted order.
func ValidateLabels(labels map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(labels) {
		for _, msg := range ValidateLabelKey(k) {
			errs = append(errs, field.Invalid(fldPath, k, msg))
		}
		for _, msg := range ValidateLabelValue(labels[k]) {
			errs = append(errs, field.Invalid(fldPath, labels[k], msg))
		}
	}
	return errs
}

// ValidateAnnotations reports every bad key and a total size over 256 KiB.
func ValidateAnnotations(annotations map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	size := 0
	for _, k := range sortedKeys(annotations) {
		for _, msg := range ValidateAnnotationKey(k) {
			errs = append(errs, field.Invalid(fldPath, k, msg))
		}
		size += len(k) + len(annotations[k])
	}
	if size > TotalAnnotationSizeLimit {
		errs = append(errs, field.TooLong(fldPath, "", TotalAnnotationSizeLimit))
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nameFunc is a name rule: NameIsDNSSubdomain or NameIsDNSLabel.
type nameFunc func(name string, prefix bool) []string

// validateMeta is ValidateObjectMeta: name (or generateName), namespace
// presence and rule, generation, labels, annotations, owners, finalizers.
func validateMeta(m *ObjectMeta, namespaced bool, nameFn nameFunc, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.GenerateName != "" {
		for _, msg := range nameFn(m.GenerateName, true) {
			errs = append(errs, field.Invalid(fldPath.Child("generateName"), m.GenerateName, msg))
		}
	}
	switch {
	case m.Name != "":
		for _, msg := range nameFn(m.Name, false) {
			errs = append(errs, field.Invalid(fldPath.Child("name"), m.Name, msg))
		}
	case m.GenerateName == "":
		errs = append(errs, field.Required(fldPath.Child("name"), "name or generateName is required"))
	}
	errs = append(errs, validateMetaNamespace(m.Namespace, namespaced, fldPath.Child("namespace"))...)
	if m.Generation < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("generation"), m.Generation, "must be greater than or equal to 0"))
	}
	errs = append(errs, ValidateLabels(m.Labels, fldPath.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(m.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, fldPath.Child("ownerReferences"))...)
	for _, f := range m.Finalizers {
		for _, msg := range validation.IsQualifiedName(f) {
			errs = append(errs, field.Invalid(fldPath.Child("finalizers"), f, msg))
		}
	}
	return errs
}

func validateMetaNamespace(ns string, namespaced bool, fldPath *field.Path) field.ErrorList {
	if !namespaced {
		if ns != "" {
			return field.ErrorList{field.Forbidden(fldPath, "not allowed on this type")}
		}
		return nil
	}
	if ns == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	for _, msg := range NameIsDNSLabel(ns, false) {
		errs = append(errs, field.Invalid(fldPath, ns, msg))
	}
	return errs
}

func validateOwnerReferences(refs []OwnerReference, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	controller := ""
	for i, r := range refs {
		p := fldPath.Index(i)
		if r.APIVersion == "" {
			errs = append(errs, field.Required(p.Child("apiVersion"), "must not be empty"))
		} else if strings.Count(r.APIVersion, "/") > 1 || strings.HasSuffix(r.APIVersion, "/") {
			errs = append(errs, field.Invalid(p.Child("apiVersion"), r.APIVersion, "must be <group>/<version> or <version>"))
		}
		if r.Kind == "" {
			errs = append(errs, field.Required(p.Child("kind"), "must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), "must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, field.Required(p.Child("uid"), "must not be empty"))
		}
		if r.Controller != nil && *r.Controller {
			cur := r.Kind + "/" + r.Name
			if controller != "" {
				errs = append(errs, field.Invalid(fldPath, refs, fmt.Sprintf(
					"Only one reference can have Controller set to true. Found \"true\" in references for %v and %v", controller, cur)))
			} else {
				controller = cur
			}
		}
	}
	return errs
}

// validateMetaUpdate is ValidateObjectMetaUpdate without the
// resourceVersion rule, which the store's optimistic concurrency owns.
func validateMetaUpdate(m, old *ObjectMeta, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if old.DeletionTimestamp != nil {
		if extra := newStrings(m.Finalizers, old.Finalizers); len(extra) > 0 {
			errs = append(errs, field.Forbidden(fldPath.Child("finalizers"), fmt.Sprintf(
				"no new finalizers can be added if the object is being deleted, found new finalizers %#v", extra)))
		}
	}
	if m.Generation < old.Generation {
		errs = append(errs, field.Invalid(fldPath.Child("generation"), m.Generation, "must not be decremented"))
	}
	immutable := func(changed bool, name string, value any) {
		if changed {
			errs = append(errs, field.Invalid(fldPath.Child(name), value, FieldImmutable))
		}
	}
	immutable(m.Name != old.Name, "name", m.Name)
	immutable(m.Namespace != old.Namespace, "namespace", m.Namespace)
	immutable(m.UID != old.UID, "uid", m.UID)
	immutable(!m.CreationTimestamp.Equal(old.CreationTimestamp.Time), "creationTimestamp", m.CreationTimestamp)
	immutable(!timePtrEqual(m.DeletionTimestamp, old.DeletionTimestamp), "deletionTimestamp", m.DeletionTimestamp)
	immutable(!int64PtrEqual(m.DeletionGracePeriodSeconds, old.DeletionGracePeriodSeconds), "deletionGracePeriodSeconds", m.DeletionGracePeriodSeconds)
	return errs
}

// newStrings returns the sorted members of a missing from b.
func newStrings(a, b []string) []string {
	seen := make(map[string]bool, len(b))
	for _, s := range b {
		seen[s] = true
	}
	var out []string
	for _, s := range a {
		if !seen[s] {
			out = append(out, s)
			seen[s] = true
		}
	}
	sort.Strings(out)
	return out
}

func timePtrEqual(a, b *Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Time)
}

func int64PtrEqual(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
