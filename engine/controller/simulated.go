package controller

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/minspace/min/engine/api"
)

// SimulatedPodStatus returns the status a kwok-like simulated node gives a
// pod bound to it: phase Running; conditions PodReadyToStartContainers,
// Initialized, Ready, ContainersReady and PodScheduled all True; the node's
// InternalIP as hostIP; podIP (from the node's pod CIDR, see IPAM; empty
// leaves it unset); startTime; every container running, ready and started
// with restartCount 0, containerID "min://<64 hex>" derived from the pod's
// uid and the container's name, and imageID "min://simulated/<image>"
// (nothing is pulled); and the pod's QoS class.
//
// It is idempotent: what the pod's status already says (start times,
// transition times) is kept, so calling it again changes nothing.
func SimulatedPodStatus(pod *api.Pod, node *api.Node, podIP string, now time.Time) api.PodStatus {
	t := api.NewTime(now)
	old := &pod.Status
	st := api.PodStatus{
		Phase:     phaseRunning,
		StartTime: old.StartTime,
		QOSClass:  QOSClass(&pod.Spec),
	}
	if st.StartTime == nil {
		st.StartTime = &t
	}
	st.HostIP, st.HostIPs = hostIPs(node)
	if podIP != "" {
		st.PodIP, st.PodIPs = podIP, []api.PodIP{{IP: podIP}}
	}
	// Exact lengths: a status is kept for as long as its pod runs, and
	// appending one by one left it in an array of 8 conditions (and three
	// arrays as garbage).
	types := [...]string{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}
	st.Conditions = make([]api.PodCondition, len(types))
	for i, typ := range types {
		st.Conditions[i] = trueCondition(old, typ, t)
	}
	if len(pod.Spec.Containers) > 0 {
		st.ContainerStatuses = make([]api.ContainerStatus, len(pod.Spec.Containers))
	}
	for i := range pod.Spec.Containers {
		st.ContainerStatuses[i] = runningContainer(pod, &pod.Spec.Containers[i], t)
	}
	return st
}

// trueCondition returns condition typ as True, keeping its transition time
// if it was True already.
func trueCondition(old *api.PodStatus, typ string, now api.Time) api.PodCondition {
	if c := podCondition(old, typ); c != nil && c.Status == condTrue && !c.LastTransitionTime.IsZero() {
		return api.PodCondition{Type: typ, Status: condTrue, LastTransitionTime: c.LastTransitionTime}
	}
	return api.PodCondition{Type: typ, Status: condTrue, LastTransitionTime: now}
}

func runningContainer(pod *api.Pod, c *api.Container, now api.Time) api.ContainerStatus {
	started := true
	startedAt := now
	if old := containerStatus(pod.Status.ContainerStatuses, c.Name); old != nil && old.State.Running != nil {
		startedAt = old.State.Running.StartedAt
	}
	return api.ContainerStatus{
		Name:         c.Name,
		State:        api.ContainerState{Running: &api.ContainerStateRunning{StartedAt: startedAt}},
		Ready:        true,
		RestartCount: 0,
		Image:        c.Image,
		ImageID:      "min://simulated/" + c.Image,
		ContainerID:  "min://" + containerID(pod.UID, c.Name),
		Started:      &started,
	}
}

// containerID is a stable 64-hex-digit id for a simulated container.
func containerID(podUID, name string) string {
	sum := sha256.Sum256([]byte(podUID + "/" + name))
	return hex.EncodeToString(sum[:])
}

// hostIPs returns the node's InternalIP addresses (the first one as
// hostIP), falling back to its first address of any type.
func hostIPs(node *api.Node) (string, []api.HostIP) {
	var ips []api.HostIP
	for _, a := range node.Status.Addresses {
		if a.Type == "InternalIP" {
			ips = append(ips, api.HostIP{IP: a.Address})
		}
	}
	if len(ips) == 0 && len(node.Status.Addresses) > 0 {
		ips = append(ips, api.HostIP{IP: node.Status.Addresses[0].Address})
	}
	if len(ips) == 0 {
		return "", nil
	}
	return ips[0].IP, ips
}
