package api

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	forkedreflect "k8s.io/apimachinery/third_party/forked/golang/reflect"
)

// semantic compares specs as apimachinery's equality.Semantic does for the
// types Min's specs hold: quantities by value, times by instant, nil and
// empty maps and slices alike. (equality itself links meta/v1; see
// FieldImmutable.)
var semantic = forkedreflect.EqualitiesOrDie(
	func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 },
	func(a, b Time) bool { return a.Equal(b.Time) },
)

var (
	restartPolicies  = []string{RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever}
	pullPolicies     = []string{PullAlways, PullIfNotPresent, PullNever}
	protocols        = []string{ProtocolSCTP, ProtocolTCP, ProtocolUDP}
	dnsPolicies      = []string{DNSClusterFirstWithHostNet, DNSClusterFirst, DNSDefault, DNSNone}
	tolerationOps    = []string{"Equal", "Exists"}
	taintEffects     = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
	selectorOps      = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
	containerResName = map[string]bool{"cpu": true, "memory": true, "ephemeral-storage": true}
)

func validatePod(p *Pod) field.ErrorList {
	errs := validateMeta(&p.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validatePodSpec(&p.Spec, field.NewPath("spec"))...)
}

// validatePodSpec is ValidatePodSpec for the fields Min has.
func validatePodSpec(s *PodSpec, fldPath *field.Path) field.ErrorList {
	errs := validateContainers(s.Containers, fldPath.Child("containers"))
	errs = append(errs, validateEnum(s.RestartPolicy, restartPolicies, fldPath.Child("restartPolicy"))...)
	errs = append(errs, validateEnum(s.DNSPolicy, dnsPolicies, fldPath.Child("dnsPolicy"))...)
	if s.DNSPolicy == DNSNone {
		// Min has no dnsConfig (an unsupported field), which None requires.
		errs = append(errs, field.Required(fldPath.Child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"))
	}
	errs = append(errs, ValidateLabels(s.NodeSelector, fldPath.Child("nodeSelector"))...)
	if s.NodeName != "" {
		for _, msg := range NameIsDNSSubdomain(s.NodeName, false) {
			errs = append(errs, field.Invalid(fldPath.Child("nodeName"), s.NodeName, msg))
		}
	}
	if s.Hostname != "" {
		for _, msg := range validation.IsDNS1123Label(s.Hostname) {
			errs = append(errs, field.Invalid(fldPath.Child("hostname"), s.Hostname, msg))
		}
	}
	if g := s.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("terminationGracePeriodSeconds"), *g, "must be greater than or equal to 0"))
	}
	errs = append(errs, validateTolerations(s.Tolerations, fldPath.Child("tolerations"))...)
	errs = append(errs, validateSeccompProfiles(s, fldPath)...)
	if s.Affinity != nil && s.Affinity.NodeAffinity != nil {
		errs = append(errs, validateNodeAffinity(s.Affinity.NodeAffinity, fldPath.Child("affinity", "nodeAffinity"))...)
	}
	return errs
}

// validateEnum: required, and one of the supported values.
func validateEnum(v string, supported []string, fldPath *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	for _, s := range supported {
		if v == s {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(fldPath, v, supported)}
}

func validateContainers(cs []Container, fldPath *field.Path) field.ErrorList {
	if len(cs) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	names := make(map[string]bool, len(cs))
	hostPorts := map[string]bool{}
	for i := range cs {
		c := &cs[i]
		p := fldPath.Index(i)
		switch {
		case c.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case names[c.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
		default:
			for _, msg := range validation.IsDNS1123Label(c.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), c.Name, msg))
			}
		}
		names[c.Name] = true
		errs = append(errs, validateContainer(c, p)...)
		errs = append(errs, uniqueHostPorts(c.Ports, hostPorts, p.Child("ports"))...)
	}
	return errs
}

func validateContainer(c *Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.Image == "" {
		errs = append(errs, field.Required(p.Child("image"), ""))
	} else if strings.TrimSpace(c.Image) != c.Image {
		errs = append(errs, field.Invalid(p.Child("image"), c.Image, "must not have leading or trailing whitespace"))
	}
	errs = append(errs, validateEnum(c.ImagePullPolicy, pullPolicies, p.Child("imagePullPolicy"))...)
	errs = append(errs, validatePorts(c.Ports, p.Child("ports"))...)
	errs = append(errs, validateEnv(c.Env, p.Child("env"))...)
	return append(errs, validateResources(&c.Resources, p.Child("resources"))...)
}

// uniqueHostPorts is AccumulateUniqueHostPorts: a host port (with its
// protocol and IP) may be used once per pod.
func uniqueHostPorts(ports []ContainerPort, seen map[string]bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		if port.HostPort == 0 {
			continue
		}
		key := fmt.Sprintf("%s/%s/%d", port.Protocol, port.HostIP, port.HostPort)
		if seen[key] {
			errs = append(errs, field.Duplicate(fldPath.Index(i).Child("hostPort"), key))
		}
		seen[key] = true
	}
	return errs
}

func validatePorts(ports []ContainerPort, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := map[string]bool{}
	for i, port := range ports {
		p := fldPath.Index(i)
		if port.Name != "" {
			for _, msg := range validation.IsValidPortName(port.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), port.Name, msg))
			}
			if names[port.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), port.Name))
			}
			names[port.Name] = true
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(p.Child("containerPort"), ""))
		} else {
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(p.Child("containerPort"), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range validation.IsValidPortNum(int(port.HostPort)) {
				errs = append(errs, field.Invalid(p.Child("hostPort"), port.HostPort, msg))
			}
		}
		errs = append(errs, validateEnum(port.Protocol, protocols, p.Child("protocol"))...)
	}
	return errs
}

func validateEnv(env []EnvVar, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, e := range env {
		p := fldPath.Index(i).Child("name")
		if e.Name == "" {
			errs = append(errs, field.Required(p, ""))
			continue
		}
		for _, msg := range validation.IsRelaxedEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(p, e.Name, msg))
		}
	}
	return errs
}

// validateResources is ValidateContainerResourceRequirements: standard or
// qualified names, non-negative quantities, requests within limits, and
// requests equal to limits for resources that cannot be overcommitted
// (extended resources such as nvidia.com/gpu, hugepages).
func validateResources(r *ResourceRequirements, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	limPath, reqPath := fldPath.Child("limits"), fldPath.Child("requests")
	for _, name := range sortedKeys(r.Limits) {
		errs = append(errs, validateResourceEntry(name, r.Limits[name], limPath.Key(name))...)
	}
	for _, name := range sortedKeys(r.Requests) {
		q := r.Requests[name]
		errs = append(errs, validateResourceEntry(name, q, reqPath.Key(name))...)
		limit, hasLimit := r.Limits[name]
		switch {
		case hasLimit && !overcommitAllowed(name) && q.Cmp(limit) != 0:
			errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
		case hasLimit && q.Cmp(limit) > 0:
			errs = append(errs, field.Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
		case !hasLimit && !overcommitAllowed(name):
			errs = append(errs, field.Required(limPath, "Limit must be set for non overcommitable resources"))
		}
	}
	return errs
}

// nativeResource: no domain, or a kubernetes.io one (IsNativeResource).
func nativeResource(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, "kubernetes.io/")
}

// overcommitAllowed: native resources other than hugepages.
func overcommitAllowed(name string) bool {
	return nativeResource(name) && !strings.HasPrefix(name, "hugepages-")
}

func validateResourceEntry(name string, q resource.Quantity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(name) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	if len(errs) == 0 && !strings.Contains(name, "/") && !containerResName[name] && !strings.HasPrefix(name, "hugepages-") {
		errs = append(errs, field.Invalid(p, name, "must be a standard resource for containers"))
	}
	if q.Sign() < 0 {
		errs = append(errs, field.Invalid(p, q.String(), "must be greater than or equal to 0"))
	}
	if !nativeResource(name) && q.MilliValue()%1000 != 0 {
		errs = append(errs, field.Invalid(p, q.String(), "must be an integer"))
	}
	return errs
}

func validateTolerations(ts []Toleration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range ts {
		p := fldPath.Index(i)
		if t.Key != "" {
			for _, msg := range validation.IsQualifiedName(t.Key) {
				errs = append(errs, field.Invalid(p.Child("key"), t.Key, msg))
			}
		}
		if t.Key == "" && t.Operator != "Exists" {
			errs = append(errs, field.Invalid(p.Child("operator"), t.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != "NoExecute" {
			errs = append(errs, field.Invalid(p.Child("effect"), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case "", "Equal":
			for _, msg := range validation.IsValidLabelValue(t.Value) {
				errs = append(errs, field.Invalid(p.Child("operator"), t.Value, msg))
			}
		case "Exists":
			if t.Value != "" {
				errs = append(errs, field.Invalid(p.Child("operator"), t, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, field.NotSupported(p.Child("operator"), t.Operator, tolerationOps))
		}
		if t.Effect != "" {
			errs = append(errs, validateOneOf(t.Effect, taintEffects, p.Child("effect"))...)
		}
	}
	return errs
}

func validateOneOf(v string, supported []string, p *field.Path) field.ErrorList {
	for _, s := range supported {
		if v == s {
			return nil
		}
	}
	return field.ErrorList{field.NotSupported(p, v, supported)}
}

func validateNodeAffinity(na *NodeAffinity, fldPath *field.Path) field.ErrorList {
	sel := na.RequiredDuringSchedulingIgnoredDuringExecution
	if sel == nil {
		return nil
	}
	p := fldPath.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	if len(sel.NodeSelectorTerms) == 0 {
		return field.ErrorList{field.Required(p, "must have at least one node selector term")}
	}
	var errs field.ErrorList
	for i, term := range sel.NodeSelectorTerms {
		for j, req := range term.MatchExpressions {
			errs = append(errs, validateNodeSelectorRequirement(req, p.Index(i).Child("matchExpressions").Index(j))...)
		}
	}
	return errs
}

func validateNodeSelectorRequirement(r NodeSelectorRequirement, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch r.Operator {
	case "In", "NotIn":
		if len(r.Values) == 0 {
			errs = append(errs, field.Required(p.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
		}
	case "Exists", "DoesNotExist":
		if len(r.Values) > 0 {
			errs = append(errs, field.Forbidden(p.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	case "Gt", "Lt":
		if len(r.Values) != 1 {
			errs = append(errs, field.Required(p.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
		}
	default:
		errs = append(errs, field.Invalid(p.Child("operator"), r.Operator, "not a valid selector operator"))
	}
	for _, msg := range validation.IsQualifiedName(r.Key) {
		errs = append(errs, field.Invalid(p.Child("key"), r.Key, msg))
	}
	return errs
}

// podUpdateForbidden is Kubernetes' text for a forbidden pod spec change.
const podUpdateForbidden = "pod updates may not change fields other than `spec.containers[*].image`," +
	"`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)," +
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

// validatePodSpecUpdate: a pod's spec is immutable except container
// images, terminationGracePeriodSeconds, additions to tolerations, and
// spec.nodeName going from empty to a node (Min's scheduler binds pods
// by update, where Kubernetes uses the binding subresource).
func validatePodSpecUpdate(s, old *PodSpec, fldPath *field.Path) field.ErrorList {
	if len(s.Containers) != len(old.Containers) {
		return field.ErrorList{field.Forbidden(fldPath.Child("containers"), "pod updates may not add or remove containers")}
	}
	var errs field.ErrorList
	if old.NodeName != "" && s.NodeName != old.NodeName {
		errs = append(errs, field.Invalid(fldPath.Child("nodeName"), s.NodeName, FieldImmutable))
	}
	if !tolerationsExtend(s.Tolerations, old.Tolerations) {
		errs = append(errs, field.Forbidden(fldPath.Child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"))
	}
	munged := *s
	munged.Containers = make([]Container, len(s.Containers))
	for i := range s.Containers {
		munged.Containers[i] = s.Containers[i]
		munged.Containers[i].Image = old.Containers[i].Image
	}
	munged.TerminationGracePeriodSeconds = old.TerminationGracePeriodSeconds
	munged.Tolerations = old.Tolerations
	munged.NodeName = old.NodeName
	if !semantic.DeepEqual(&munged, old) {
		errs = append(errs, field.Forbidden(fldPath, podUpdateForbidden))
	}
	return errs
}

// tolerationsExtend: every old toleration is still present (its
// tolerationSeconds may change).
func tolerationsExtend(ts, old []Toleration) bool {
	for _, o := range old {
		found := false
		for _, t := range ts {
			if t.Key == o.Key && t.Operator == o.Operator && t.Value == o.Value && t.Effect == o.Effect {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
