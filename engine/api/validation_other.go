package api

import (
	"net"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// standardFinalizers are the finalizer names allowed without a domain.
var standardFinalizers = map[string]bool{FinalizerKubernetes: true, "orphan": true, "foregroundDeletion": true}

// validateRC is ValidateReplicationController.
func validateRC(r *ReplicationController) field.ErrorList {
	errs := validateMeta(&r.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	spec := field.NewPath("spec")
	if r.Spec.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(spec.Child("minReadySeconds"), int64(r.Spec.MinReadySeconds), "must be greater than or equal to 0"))
	}
	if len(r.Spec.Selector) == 0 {
		errs = append(errs, field.Required(spec.Child("selector"), ""))
	}
	if r.Spec.Replicas != nil && *r.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(spec.Child("replicas"), int64(*r.Spec.Replicas), "must be greater than or equal to 0"))
	}
	return append(errs, validateRCTemplate(r.Spec.Template, r.Spec.Selector, spec.Child("template"))...)
}

// validateRCTemplate is ValidatePodTemplateSpecForRC.
func validateRCTemplate(t *PodTemplateSpec, selector map[string]string, fldPath *field.Path) field.ErrorList {
	if t == nil {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	if len(selector) > 0 && !selectorMatches(selector, t.Labels) {
		errs = append(errs, field.Invalid(fldPath.Child("metadata", "labels"), t.Labels, "`selector` does not match template `labels`"))
	}
	meta := fldPath.Child("metadata")
	errs = append(errs, ValidateLabels(t.Labels, meta.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(t.Annotations, meta.Child("annotations"))...)
	errs = append(errs, validatePodSpec(&t.Spec, fldPath.Child("spec"))...)
	if t.Spec.RestartPolicy != RestartPolicyAlways {
		errs = append(errs, field.NotSupported(fldPath.Child("spec", "restartPolicy"), t.Spec.RestartPolicy, []string{RestartPolicyAlways}))
	}
	return errs
}

// selectorMatches: every selector pair is among the labels (a map
// selector is an AND of equalities).
func selectorMatches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if lv, ok := labels[k]; !ok || lv != v {
			return false
		}
	}
	return true
}

// validateNamespace is ValidateNamespace: a DNS-1123 label name and
// standard or qualified finalizers.
func validateNamespace(n *Namespace) field.ErrorList {
	errs := validateMeta(&n.ObjectMeta, false, NameIsDNSLabel, field.NewPath("metadata"))
	for i, f := range n.Spec.Finalizers {
		errs = append(errs, validateFinalizerName(f, field.NewPath("spec", "finalizers").Index(i))...)
	}
	if p := n.Status.Phase; p != "" && p != NamespaceActive && p != NamespaceTerminating {
		errs = append(errs, field.NotSupported(field.NewPath("status", "phase"), p, []string{NamespaceActive, NamespaceTerminating}))
	}
	return errs
}

func validateFinalizerName(f string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(f) {
		errs = append(errs, field.Invalid(p, f, msg))
	}
	if !strings.Contains(f, "/") && !standardFinalizers[f] {
		errs = append(errs, field.Invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified"))
	}
	return errs
}

// validateNode is ValidateNode for Min's node fields: the name, the pod
// CIDRs and the taints.
func validateNode(n *Node) field.ErrorList {
	errs := validateMeta(&n.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	spec := field.NewPath("spec")
	if n.Spec.PodCIDR != "" {
		if _, _, err := net.ParseCIDR(n.Spec.PodCIDR); err != nil {
			errs = append(errs, field.Invalid(spec.Child("podCIDR"), n.Spec.PodCIDR, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
		}
	}
	for i, c := range n.Spec.PodCIDRs {
		if _, _, err := net.ParseCIDR(c); err != nil {
			errs = append(errs, field.Invalid(spec.Child("podCIDRs").Index(i), c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
		}
	}
	for i, t := range n.Spec.Taints {
		p := spec.Child("taints").Index(i)
		for _, msg := range validation.IsQualifiedName(t.Key) {
			errs = append(errs, field.Invalid(p.Child("key"), t.Key, msg))
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
		}
		if t.Effect == "" {
			errs = append(errs, field.Required(p.Child("effect"), ""))
		} else {
			errs = append(errs, validateOneOf(t.Effect, taintEffects, p.Child("effect"))...)
		}
	}
	for _, name := range sortedKeys(n.Status.Capacity) {
		q := n.Status.Capacity[name]
		if q.Sign() < 0 {
			errs = append(errs, field.Invalid(field.NewPath("status", "capacity").Key(name), q.String(), "must be greater than or equal to 0"))
		}
	}
	return errs
}

// validateNodeSpecUpdate: a node's pod CIDRs may be set once, never
// changed (ValidateNodeUpdate).
func validateNodeSpecUpdate(s, old *NodeSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if old.PodCIDR != "" && s.PodCIDR != old.PodCIDR {
		errs = append(errs, field.Forbidden(fldPath.Child("podCIDR"), "node updates may not change podCIDR except from \"\" to valid"))
	}
	if len(old.PodCIDRs) > 0 && strings.Join(s.PodCIDRs, ",") != strings.Join(old.PodCIDRs, ",") {
		errs = append(errs, field.Forbidden(fldPath.Child("podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"))
	}
	return errs
}
