package api

import "k8s.io/apimachinery/pkg/api/resource"

// Pod is a group of containers that share a sandbox on one node.
type Pod struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Spec       PodSpec   `json:"spec"`
	Status     PodStatus `json:"status,omitzero"`
}

// PodSpec is the part of a pod that the user writes.
type PodSpec struct {
	Containers                    []Container        `json:"containers" patchStrategy:"merge" patchMergeKey:"name"`
	RestartPolicy                 string             `json:"restartPolicy,omitempty"`
	TerminationGracePeriodSeconds *int64             `json:"terminationGracePeriodSeconds,omitempty"`
	DNSPolicy                     string             `json:"dnsPolicy,omitempty"`
	NodeSelector                  map[string]string  `json:"nodeSelector,omitempty"`
	NodeName                      string             `json:"nodeName,omitempty"`
	ShareProcessNamespace         *bool              `json:"shareProcessNamespace,omitempty"`
	Hostname                      string             `json:"hostname,omitempty"`
	Affinity                      *Affinity          `json:"affinity,omitempty"`
	Tolerations                   []Toleration       `json:"tolerations,omitempty"`
	SecurityContext               PodSecurityContext `json:"securityContext,omitzero"`
}

// Container is one process of a pod, started from an image.
type Container struct {
	Name            string               `json:"name"`
	Image           string               `json:"image,omitempty"`
	Command         []string             `json:"command,omitempty"`
	Args            []string             `json:"args,omitempty"`
	WorkingDir      string               `json:"workingDir,omitempty"`
	Ports           []ContainerPort      `json:"ports,omitempty" patchStrategy:"merge" patchMergeKey:"containerPort"`
	Env             []EnvVar             `json:"env,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Resources       ResourceRequirements `json:"resources,omitzero"`
	ImagePullPolicy string               `json:"imagePullPolicy,omitempty"`
	SecurityContext SecurityContext      `json:"securityContext,omitzero"`
}

// PodSecurityContext is the pod-level security context; Min has its
// seccomp profile. (Values, not pointers as in Kubernetes: an absent
// context and an empty one are alike.)
type PodSecurityContext struct {
	SeccompProfile SeccompProfile `json:"seccompProfile,omitzero"`
}

// SecurityContext is a container's security context; Min has its seccomp
// profile, which overrides the pod's.
type SecurityContext struct {
	SeccompProfile SeccompProfile `json:"seccompProfile,omitzero"`
}

// SeccompProfile types.
const (
	SeccompProfileRuntimeDefault = "RuntimeDefault"
	SeccompProfileUnconfined     = "Unconfined"
	SeccompProfileLocalhost      = "Localhost"
)

// SeccompProfile selects a container's seccomp filter: RuntimeDefault,
// Unconfined, or Localhost with LocalhostProfile, a path relative to the
// node's seccomp profile directory. Without any, Min applies
// RuntimeDefault (as a kubelet with --seccomp-default does).
type SeccompProfile struct {
	Type             string `json:"type,omitempty"`
	LocalhostProfile string `json:"localhostProfile,omitempty"`
}

// ContainerPort is informational, as in Kubernetes.
type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	HostPort      int32  `json:"hostPort,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
	HostIP        string `json:"hostIP,omitempty"`
}

// EnvVar is one environment variable with a literal value.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// ResourceList maps a resource name (cpu, memory, pods) to a quantity.
type ResourceList map[string]resource.Quantity

// ResourceRequirements are a container's requests and limits.
type ResourceRequirements struct {
	Limits   ResourceList `json:"limits,omitempty"`
	Requests ResourceList `json:"requests,omitempty"`
}

// Toleration lets a pod land on a node with a matching taint.
type Toleration struct {
	Key               string `json:"key,omitempty"`
	Operator          string `json:"operator,omitempty"`
	Value             string `json:"value,omitempty"`
	Effect            string `json:"effect,omitempty"`
	TolerationSeconds *int64 `json:"tolerationSeconds,omitempty"`
}

// Affinity holds node affinity (pod affinity is not supported).
type Affinity struct {
	NodeAffinity *NodeAffinity `json:"nodeAffinity,omitempty"`
}

// NodeAffinity supports only the required-during-scheduling rules.
type NodeAffinity struct {
	RequiredDuringSchedulingIgnoredDuringExecution *NodeSelector `json:"requiredDuringSchedulingIgnoredDuringExecution,omitempty"`
}

// NodeSelector is an OR of terms.
type NodeSelector struct {
	NodeSelectorTerms []NodeSelectorTerm `json:"nodeSelectorTerms"`
}

// NodeSelectorTerm is an AND of expressions.
type NodeSelectorTerm struct {
	MatchExpressions []NodeSelectorRequirement `json:"matchExpressions,omitempty"`
}

// NodeSelectorRequirement: key In/NotIn/Exists/DoesNotExist/Gt/Lt values.
type NodeSelectorRequirement struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// PodStatus is written by the scheduler and the node agent, never the user.
type PodStatus struct {
	Phase             string            `json:"phase,omitempty"`
	Conditions        []PodCondition    `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	Message           string            `json:"message,omitempty"`
	Reason            string            `json:"reason,omitempty"`
	HostIP            string            `json:"hostIP,omitempty"`
	HostIPs           []HostIP          `json:"hostIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	PodIP             string            `json:"podIP,omitempty"`
	PodIPs            []PodIP           `json:"podIPs,omitempty" patchStrategy:"merge" patchMergeKey:"ip"`
	StartTime         *Time             `json:"startTime,omitempty"`
	ContainerStatuses []ContainerStatus `json:"containerStatuses,omitempty"`
	QOSClass          string            `json:"qosClass,omitempty"`
}

// PodIP is one address of a pod.
type PodIP struct {
	IP string `json:"ip"`
}

// HostIP is one address of the pod's node.
type HostIP struct {
	IP string `json:"ip"`
}

// PodCondition: PodScheduled, Initialized, ContainersReady, Ready.
type PodCondition struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	LastProbeTime      *Time  `json:"lastProbeTime,omitempty"`
	LastTransitionTime Time   `json:"lastTransitionTime,omitzero"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
}

// ContainerStatus is the node agent's view of one container.
type ContainerStatus struct {
	Name         string         `json:"name"`
	State        ContainerState `json:"state,omitzero"`
	LastState    ContainerState `json:"lastState,omitzero"`
	Ready        bool           `json:"ready"`
	RestartCount int32          `json:"restartCount"`
	Image        string         `json:"image"`
	ImageID      string         `json:"imageID"`
	ContainerID  string         `json:"containerID,omitempty"`
	Started      *bool          `json:"started,omitempty"`
}

// ContainerState holds exactly one of its members.
type ContainerState struct {
	Waiting    *ContainerStateWaiting    `json:"waiting,omitempty"`
	Running    *ContainerStateRunning    `json:"running,omitempty"`
	Terminated *ContainerStateTerminated `json:"terminated,omitempty"`
}

// ContainerStateWaiting: ContainerCreating, CrashLoopBackOff, ErrImagePull…
type ContainerStateWaiting struct {
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ContainerStateRunning records when the current instance started.
type ContainerStateRunning struct {
	StartedAt Time `json:"startedAt,omitzero"`
}

// ContainerStateTerminated records how an instance ended.
type ContainerStateTerminated struct {
	ExitCode    int32  `json:"exitCode"`
	Signal      int32  `json:"signal,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	StartedAt   Time   `json:"startedAt,omitzero"`
	FinishedAt  Time   `json:"finishedAt,omitzero"`
	ContainerID string `json:"containerID,omitempty"`
}
