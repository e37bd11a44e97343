package manifest

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

// node describes what a JSON value at one place of an object may hold.
type node struct {
	fields      map[string]*node // a struct: its JSON fields
	names       []string         // the fields' names, sorted, for suggestions
	unsupported map[string]bool  // Kubernetes fields Min does not support yet
	defaults    map[string][]any // unsupported fields accepted at these values
	elem        *node            // a slice's element or a map's value
	isMap       bool             // elem is a map value (keys are free)
	quantity    bool             // a resource.Quantity
}

// unsupportedFields lists, per Go type, the fields a Kubernetes manifest
// may carry there that Min does not implement yet. They are refused with
// their own message rather than as unknown fields.
var unsupportedFields = map[reflect.Type][]string{
	reflect.TypeFor[api.ObjectMeta](): {"managedFields", "selfLink"},
	reflect.TypeFor[api.PodSpec](): {"volumes", "initContainers", "ephemeralContainers",
		"serviceAccountName", "serviceAccount", "automountServiceAccountToken", "imagePullSecrets",
		"hostNetwork", "hostPID", "hostIPC", "hostUsers", "dnsConfig", "hostAliases", "priorityClassName",
		"priority", "preemptionPolicy", "readinessGates", "runtimeClassName", "topologySpreadConstraints",
		"overhead", "schedulerName", "subdomain", "setHostnameAsFQDN", "os", "schedulingGates",
		"resourceClaims", "resources", "activeDeadlineSeconds", "enableServiceLinks", "hostnameOverride"},
	reflect.TypeFor[api.Container](): {"volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe",
		"startupProbe", "lifecycle", "stdin", "stdinOnce", "tty", "envFrom",
		"terminationMessagePath", "terminationMessagePolicy", "resizePolicy", "restartPolicy", "restartPolicyRules"},
	reflect.TypeFor[api.PodSecurityContext](): {"seLinuxOptions", "windowsOptions", "runAsUser", "runAsGroup",
		"runAsNonRoot", "supplementalGroups", "supplementalGroupsPolicy", "fsGroup", "sysctls",
		"fsGroupChangePolicy", "appArmorProfile", "seLinuxChangePolicy"},
	reflect.TypeFor[api.SecurityContext](): {"capabilities", "privileged", "seLinuxOptions", "windowsOptions",
		"runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation",
		"procMount", "appArmorProfile"},
	reflect.TypeFor[api.EnvVar]():               {"valueFrom"},
	reflect.TypeFor[api.ResourceRequirements](): {"claims"},
	reflect.TypeFor[api.Affinity]():             {"podAffinity", "podAntiAffinity"},
	reflect.TypeFor[api.NodeAffinity]():         {"preferredDuringSchedulingIgnoredDuringExecution"},
	reflect.TypeFor[api.NodeSelectorTerm]():     {"matchFields"},
	reflect.TypeFor[api.NodeSpec]():             {"providerID", "configSource", "externalID"},
	reflect.TypeFor[api.PodStatus](): {"initContainerStatuses", "ephemeralContainerStatuses", "nominatedNodeName",
		"resize", "resourceClaimStatuses", "observedGeneration", "extendedResourceClaimStatus"},
	reflect.TypeFor[api.ContainerStatus](): {"volumeMounts", "allocatedResources", "resources", "user",
		"stopSignal", "allocatedResourcesStatus"},
	reflect.TypeFor[api.NodeStatus](): {"daemonEndpoints", "images", "volumesInUse", "volumesAttached",
		"config", "runtimeHandlers", "features", "declaredFeatures"},
	reflect.TypeFor[api.Event]():                       {"series", "action", "related"},
	reflect.TypeFor[api.NamespaceStatus]():             {"conditions"},
	reflect.TypeFor[api.ReplicationControllerStatus](): {"conditions"},
	reflect.TypeFor[api.PodCondition]():                {"observedGeneration"},
	reflect.TypeFor[api.NodeSystemInfo]():              {"swap"},
}

// defaultOnly lists unsupported fields that a manifest may still carry
// when they hold Kubernetes' default value, which is what `kubectl get -o
// yaml` prints: such a value asks for nothing Min lacks, so it is
// accepted (and not kept). Any other value is refused as unsupported.
var defaultOnly = map[reflect.Type]map[string][]any{
	reflect.TypeFor[api.PodSpec](): {
		"schedulerName":      {"default-scheduler"},
		"enableServiceLinks": {true, false},
		"priority":           {json.Number("0")},
		"preemptionPolicy":   {"PreemptLowerPriority"},
		"serviceAccountName": {"default"},
		"serviceAccount":     {"default"},
		"hostNetwork":        {false},
		"hostPID":            {false},
		"hostIPC":            {false},
	},
	reflect.TypeFor[api.Container](): {
		"terminationMessagePath":   {"/dev/termination-log"},
		"terminationMessagePolicy": {"File"},
		"tty":                      {false},
		"stdin":                    {false},
		"stdinOnce":                {false},
	},
}

// opaque types decode themselves from a scalar: nothing to check inside.
var opaque = map[reflect.Type]bool{
	reflect.TypeFor[resource.Quantity](): true,
	reflect.TypeFor[api.Time]():          true,
	reflect.TypeFor[api.MicroTime]():     true,
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// schemas is built once, on first use, from the api types; it is never
// changed afterwards.
var schemas = sync.OnceValue(func() map[string]*node {
	built := map[reflect.Type]*node{}
	out := map[string]*node{}
	for _, k := range api.Kinds {
		out[k.Kind] = schemaOf(reflect.TypeOf(k.New()).Elem(), built)
	}
	return out
})

// schemaOf describes t; built memoises shared types (and would end a
// recursion, were the api types recursive).
func schemaOf(t reflect.Type, built map[reflect.Type]*node) *node {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n, ok := built[t]; ok {
		return n
	}
	n := &node{}
	built[t] = n
	switch {
	case t == reflect.TypeFor[resource.Quantity]():
		n.quantity = true
	case opaque[t] || reflect.PointerTo(t).Implements(unmarshalerType):
		return nil
	case t.Kind() == reflect.Struct:
		n.fields = map[string]*node{}
		addFields(n, t, built)
		for name := range n.fields {
			n.names = append(n.names, name)
		}
		sort.Strings(n.names)
		n.unsupported = map[string]bool{}
		for _, f := range unsupportedFields[t] {
			n.unsupported[f] = true
		}
		n.defaults = defaultOnly[t]
	case t.Kind() == reflect.Slice:
		n.elem = schemaOf(t.Elem(), built)
	case t.Kind() == reflect.Map:
		n.isMap = true
		n.elem = schemaOf(t.Elem(), built)
	default:
		return nil
	}
	return n
}

// addFields adds t's JSON fields to n, inlining embedded structs without
// a JSON name as encoding/json does.
func addFields(n *node, t reflect.Type, built map[reflect.Type]*node) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			addFields(n, f.Type, built)
			continue
		}
		if name == "" {
			name = f.Name
		}
		n.fields[name] = schemaOf(f.Type, built)
	}
}
