package bindings

import (
	"fmt"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/minspace/min/engine/api"
)

// explain prints a kind or field path like kubectl explain.
func (s *State) explain(L *lua.LState) int {
	text, err := explainText(L.CheckString(1))
	if err != nil {
		s.raise(L, reasonBadRequest, "explain: %v", err)
	}
	fmt.Fprint(s.opts.Stdout, text)
	return 0
}

// explainText renders "pod", "pod.spec" or "pod.spec.containers".
func explainText(path string) (string, error) {
	parts := strings.Split(path, ".")
	k, ok := api.KindFor(strings.ToLower(parts[0]))
	if !ok {
		k, ok = api.KindFor(parts[0])
	}
	if !ok {
		return "", fmt.Errorf("the server doesn't have a resource type %q", parts[0])
	}
	t := reflect.TypeOf(k.New()).Elem()
	owner := t
	fieldName := ""
	for _, p := range parts[1:] {
		f, found := jsonField(t, p)
		if !found {
			return "", fmt.Errorf("field %q does not exist in %s", p, typeName(t))
		}
		owner, fieldName = t, p
		t = elemStruct(f.Type)
		if t == nil {
			t = f.Type
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "KIND:       %s\nVERSION:    v1\n\n", k.Kind)
	if fieldName != "" {
		f, _ := jsonField(owner, fieldName)
		fmt.Fprintf(&b, "FIELD: %s <%s>\n\n", fieldName, typeName(f.Type))
		fmt.Fprintf(&b, "DESCRIPTION:\n    %s\n", describe(owner, fieldName))
	} else {
		fmt.Fprintf(&b, "DESCRIPTION:\n    %s\n", kindDescriptions[k.Kind])
	}
	if t.Kind() == reflect.Struct && t != timeType && t != quantityType {
		b.WriteString("\nFIELDS:\n")
		for _, fp := range jsonFields(t, nil) {
			f := t.FieldByIndex(fp.index)
			fmt.Fprintf(&b, "  %s\t<%s>\n    %s\n\n", fp.name, typeName(f.Type), describe(t, fp.name))
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for _, fp := range jsonFields(t, nil) {
		if fp.name == name {
			return t.FieldByIndex(fp.index), true
		}
	}
	return reflect.StructField{}, false
}

// elemStruct is the struct a field holds (through pointers, slices, maps).
func elemStruct(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

// typeName spells a Go type the way kubectl explain does.
func typeName(t reflect.Type) string {
	switch t {
	case timeType, microTimeType:
		return "string"
	case quantityType:
		return "Quantity"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Map:
		return "map[string]" + typeName(t.Elem())
	case reflect.Struct:
		return t.Name()
	case reflect.Int32, reflect.Int64, reflect.Int:
		return "integer"
	case reflect.Bool:
		return "boolean"
	}
	return t.Kind().String()
}

func describe(owner reflect.Type, field string) string {
	if d, ok := fieldDescriptions[owner.Name()+"."+field]; ok {
		return d
	}
	if d, ok := fieldDescriptions["*."+field]; ok {
		return d
	}
	return "(no description)"
}

var kindDescriptions = map[string]string{
	"Pod":                   "Pod is a collection of containers that can run on a host.",
	"Node":                  "Node is a worker node: the host, a virtual node backed by it, or a simulated node.",
	"Namespace":             "Namespace provides a scope for names.",
	"ReplicationController": "ReplicationController keeps a number of pods matching a selector running.",
	"Event":                 "Event is a report of something that happened to an object.",
}

// fieldDescriptions are one-line descriptions, shortened from Kubernetes'
// API documentation. "*.x" applies to a field x of any type.
var fieldDescriptions = map[string]string{
	"*.apiVersion":                              "The versioned schema of this representation of an object (v1).",
	"*.kind":                                    "The REST resource this object represents (Pod, Node...).",
	"*.metadata":                                "Standard object's metadata: name, namespace, labels, annotations...",
	"*.spec":                                    "The desired state, written by the user.",
	"*.status":                                  "The observed state, written by the system. Read-only.",
	"*.name":                                    "The name, unique within its scope.",
	"*.labels":                                  "Key/value pairs used to organize and select objects.",
	"*.annotations":                             "Key/value pairs for tools; not used to select objects.",
	"*.namespace":                               "The namespace the object lives in (empty: default).",
	"*.conditions":                              "The current service state of the object.",
	"ObjectMeta.generateName":                   "A prefix for a server-generated name, used when name is empty.",
	"ObjectMeta.uid":                            "The unique id of this object over time. Read-only.",
	"ObjectMeta.resourceVersion":                "The version of the object, for optimistic concurrency. Read-only.",
	"ObjectMeta.generation":                     "A sequence number of the desired state. Read-only.",
	"ObjectMeta.creationTimestamp":              "When the object was created. Read-only.",
	"ObjectMeta.deletionTimestamp":              "When the object will be deleted (set by a graceful delete). Read-only.",
	"ObjectMeta.ownerReferences":                "The objects this one depends on (a pod's ReplicationController).",
	"ObjectMeta.finalizers":                     "Conditions that must be cleared before the object is deleted.",
	"PodSpec.containers":                        "List of containers belonging to the pod. At least one.",
	"PodSpec.restartPolicy":                     "Restart policy for all containers: Always (default), OnFailure or Never.",
	"PodSpec.terminationGracePeriodSeconds":     "Seconds between SIGTERM and SIGKILL when the pod is deleted (default 30).",
	"PodSpec.nodeSelector":                      "Labels a node must have for the pod to be scheduled onto it.",
	"PodSpec.nodeName":                          "The node the pod is bound to; set it to skip the scheduler.",
	"PodSpec.hostname":                          "The pod's hostname (default: the pod's name).",
	"PodSpec.shareProcessNamespace":             "Share one process namespace between the pod's containers.",
	"PodSpec.dnsPolicy":                         "DNS policy of the pod (ClusterFirst by default).",
	"PodSpec.tolerations":                       "Taints of nodes this pod tolerates.",
	"PodSpec.affinity":                          "Node affinity scheduling rules.",
	"Container.name":                            "Name of the container, unique in the pod (a DNS label).",
	"Container.image":                           "Image to run (busybox, luksa/kubia...).",
	"Container.command":                         "Entrypoint array, replacing the image's ENTRYPOINT. Not run in a shell.",
	"Container.args":                            "Arguments to the entrypoint, replacing the image's CMD.",
	"Container.workingDir":                      "Working directory of the process (default: the image's).",
	"Container.ports":                           "Ports the container exposes (informational).",
	"Container.env":                             "Environment variables to set in the container.",
	"Container.resources":                       "Compute resources requested and limited (cpu, memory).",
	"Container.imagePullPolicy":                 "Always, Never or IfNotPresent.",
	"ContainerPort.containerPort":               "Port number on the pod's IP address.",
	"ContainerPort.protocol":                    "TCP (default), UDP or SCTP.",
	"ContainerPort.hostPort":                    "Port number on the host (rarely needed).",
	"EnvVar.value":                              "The variable's value.",
	"ResourceRequirements.requests":             "Minimum resources the container needs; used by the scheduler.",
	"ResourceRequirements.limits":               "Maximum resources the container may use; enforced with cgroups.",
	"PodStatus.phase":                           "Pending, Running, Succeeded, Failed or Unknown.",
	"PodStatus.podIP":                           "IP address of the pod.",
	"PodStatus.hostIP":                          "IP address of the pod's node.",
	"PodStatus.containerStatuses":               "The state of each container.",
	"PodStatus.startTime":                       "When the node agent acknowledged the pod.",
	"PodStatus.qosClass":                        "Guaranteed, Burstable or BestEffort.",
	"PodStatus.message":                         "Why the pod is in this condition.",
	"PodStatus.reason":                          "A brief CamelCase reason (Evicted...).",
	"NodeSpec.unschedulable":                    "Keeps new pods off the node (kubectl cordon).",
	"NodeSpec.podCIDR":                          "The pod IP range of the node.",
	"NodeSpec.taints":                           "Taints that repel pods that do not tolerate them.",
	"NodeStatus.capacity":                       "Total resources of the node.",
	"NodeStatus.allocatable":                    "Resources available for scheduling.",
	"NodeStatus.addresses":                      "Addresses of the node.",
	"NodeStatus.nodeInfo":                       "Software versions of the node.",
	"ReplicationControllerSpec.replicas":        "Number of desired pods (default 1).",
	"ReplicationControllerSpec.selector":        "Labels the managed pods must match (default: the template's labels).",
	"ReplicationControllerSpec.template":        "The pod created when too few pods match.",
	"ReplicationControllerSpec.minReadySeconds": "Seconds a new pod must be ready to count as available.",
	"NamespaceStatus.phase":                     "Active or Terminating.",
}
