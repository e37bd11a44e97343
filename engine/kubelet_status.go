package engine

import (
	"fmt"
	"reflect"

	"github.com/minspace/min/containers"
	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/controller"
)

// creatingStatus is a scheduled pod's status before its containers run:
// every container waiting in ContainerCreating.
func (k *kubelet) creatingStatus(p *api.Pod) api.PodStatus {
	var st api.PodStatus
	p.Status.DeepCopyInto(&st)
	st.Phase = "Pending"
	st.HostIP, st.HostIPs = k.hostIP, []api.HostIP{{IP: k.hostIP}}
	st.QOSClass = controller.QOSClass(&p.Spec)
	if st.StartTime == nil {
		now := k.e.now()
		st.StartTime = &now
	}
	st.ContainerStatuses = nil
	for _, c := range p.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, api.ContainerStatus{Name: c.Name, Image: c.Image,
			State: api.ContainerState{Waiting: &api.ContainerStateWaiting{Reason: "ContainerCreating"}}})
	}
	now := k.e.now()
	setPodCondition(&st, api.PodCondition{Type: "Initialized", Status: "True"}, now)
	setPodCondition(&st, api.PodCondition{Type: "Ready", Status: "False", Reason: "ContainersNotReady",
		Message: "containers with unready status: " + containerNames(p)}, now)
	setPodCondition(&st, api.PodCondition{Type: "ContainersReady", Status: "False", Reason: "ContainersNotReady",
		Message: "containers with unready status: " + containerNames(p)}, now)
	return st
}

func containerNames(p *api.Pod) string {
	s := "["
	for i, c := range p.Spec.Containers {
		if i > 0 {
			s += " "
		}
		s += c.Name
	}
	return s + "]"
}

// syncStatus reads the pod's state from its shim and writes it to the pod
// object when it changed. The caller holds k.mu.
func (k *kubelet) syncStatus(rec *podRecord) {
	p := rec.pod
	state, err := k.rt.PodStatus(p.UID)
	if err != nil {
		return
	}
	st := k.runningStatus(p, rec, state)
	k.noteBackoffs(p, rec, st)
	if reflect.DeepEqual(st, rec.written) {
		return
	}
	go k.writeStatus(p, nil, st)
	rec.written = st
}

// runningStatus builds the pod status from the shim's container states.
func (k *kubelet) runningStatus(p *api.Pod, rec *podRecord, state containers.PodState) api.PodStatus {
	st := k.creatingStatus(p)
	byName := map[string]containers.ContainerStatus{}
	for _, c := range state.Containers {
		byName[c.Name] = c
	}
	ready := true
	for i := range st.ContainerStatuses {
		cs := &st.ContainerStatuses[i]
		s, ok := byName[cs.Name]
		if !ok {
			ready = false
			continue
		}
		cs.State = apiState(s.State, p.UID, cs.Name)
		cs.LastState = apiState(s.LastState, p.UID, cs.Name)
		cs.RestartCount = int32(s.RestartCount)
		cs.ImageID = rec.imageIDs[cs.Name]
		cs.ContainerID = containerID(p.UID, cs.Name, s.RestartCount)
		running := cs.State.Running != nil
		cs.Ready, cs.Started = running, &running
		ready = ready && running
	}
	if state.IP != "" {
		st.PodIP, st.PodIPs = state.IP, []api.PodIP{{IP: state.IP}}
	}
	st.Phase = controller.PodPhase(&p.Spec, st.ContainerStatuses)
	now := k.e.now()
	cond := api.PodCondition{Type: "Ready", Status: "True"}
	if !ready {
		cond = api.PodCondition{Type: "Ready", Status: "False", Reason: "ContainersNotReady",
			Message: "containers with unready status: " + containerNames(p)}
	}
	setPodCondition(&st, cond, now)
	cond.Type = "ContainersReady"
	setPodCondition(&st, cond, now)
	setPodCondition(&st, api.PodCondition{Type: "PodReadyToStartContainers", Status: "True"}, now)
	return st
}

func containerID(uid, name string, restarts int) string {
	return fmt.Sprintf("min://%s-%s-%d", uid, name, restarts)
}

func apiState(s containers.ContainerState, uid, name string) api.ContainerState {
	var out api.ContainerState
	switch {
	case s.Waiting != nil:
		out.Waiting = &api.ContainerStateWaiting{Reason: s.Waiting.Reason, Message: s.Waiting.Message}
	case s.Running != nil:
		out.Running = &api.ContainerStateRunning{StartedAt: api.NewTime(s.Running.StartedAt)}
	case s.Terminated != nil:
		t := s.Terminated
		out.Terminated = &api.ContainerStateTerminated{ExitCode: int32(t.ExitCode), Signal: int32(t.Signal),
			Reason: t.Reason, Message: t.Message, StartedAt: api.NewTime(t.StartedAt),
			FinishedAt: api.NewTime(t.FinishedAt)}
	}
	return out
}

// noteBackoffs records a BackOff event each time a container enters
// CrashLoopBackOff after another restart.
func (k *kubelet) noteBackoffs(p *api.Pod, rec *podRecord, st api.PodStatus) {
	for _, cs := range st.ContainerStatuses {
		if cs.State.Waiting == nil || cs.State.Waiting.Reason != "CrashLoopBackOff" {
			continue
		}
		if rec.backoffs == nil {
			rec.backoffs = map[string]int32{}
		}
		if n, ok := rec.backoffs[cs.Name]; ok && n == cs.RestartCount {
			continue
		}
		rec.backoffs[cs.Name] = cs.RestartCount
		go k.e.events.record(p, "Warning", "BackOff", "kubelet",
			fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)", cs.Name, p.Name, p.Namespace, p.UID))
	}
}

// writeStatus stores st as the pod's status, unless the pod was replaced
// or is going away meanwhile.
func (k *kubelet) writeStatus(p *api.Pod, rec *podRecord, st api.PodStatus) {
	k.e.updateStatus("pods", p.Namespace, p.Name, func(o api.Object) bool {
		cur := o.(*api.Pod)
		if cur.UID != p.UID || reflect.DeepEqual(cur.Status, st) {
			return false
		}
		keepScheduled(&st, &cur.Status)
		cur.Status = st
		return true
	})
}

// keepScheduled carries the scheduler's PodScheduled condition over.
func keepScheduled(st, cur *api.PodStatus) {
	for _, c := range cur.Conditions {
		if c.Type == "PodScheduled" {
			setPodCondition(st, c, c.LastTransitionTime)
		}
	}
}
