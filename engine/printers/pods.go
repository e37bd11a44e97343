package printers

import (
	"strconv"
	"time"

	"github.com/minspace/min/engine/api"
)

// Reasons and conditions printPod looks for.
const (
	reasonSchedulingGated = "SchedulingGated"
	reasonNodeLost        = "NodeLost" // node.NodeUnreachablePodReason
	reasonPodInitializing = "PodInitializing"
)

// initContainer is what printPod needs of an init container: its name and
// whether it is a restartable ("sidecar") one. engine/api has no init
// containers yet; podView carries them so the algorithm is complete and
// tested for when it does.
type initContainer struct {
	Name        string
	Restartable bool
}

// podView is the part of a pod the READY, STATUS and RESTARTS columns read.
type podView struct {
	Pod            *api.Pod
	InitContainers []initContainer
	InitStatuses   []api.ContainerStatus
}

// podState is the summary printPod computes.
type podState struct {
	Ready, Total int
	Reason       string
	Restarts     int
	LastRestart  time.Time
}

func podRow(obj api.Object, now time.Time, cells []any) (Row, error) {
	p, ok := obj.(*api.Pod)
	if !ok {
		return Row{}, wrongType("pods", obj)
	}
	st := summarizePod(podView{Pod: p})
	row := Row{Object: obj, Cells: cells}
	switch p.Status.Phase {
	case "Succeeded":
		row.Conditions = []RowCondition{{Type: "Completed", Status: "True", Reason: "Succeeded", Message: "The pod has completed successfully."}}
	case "Failed":
		row.Conditions = []RowCondition{{Type: "Completed", Status: "True", Reason: "Failed", Message: "The pod failed."}}
	}
	row.Cells = append(row.Cells, p.Name, st.ready(),
		st.Reason, restartsCell(st, now), age(p.CreationTimestamp.Time, now))
	row.Cells = append(row.Cells, podIP(p), orNone(p.Spec.NodeName), "<none>", "<none>")
	return row, nil
}

// restartsCell is "3" or, once a container has restarted, "3 (25s ago)".
func restartsCell(st podState, now time.Time) string {
	s := strconv.Itoa(st.Restarts)
	if st.Restarts != 0 && !st.LastRestart.IsZero() {
		s += " (" + age(st.LastRestart, now) + " ago)"
	}
	return s
}

func podIP(p *api.Pod) string {
	if len(p.Status.PodIPs) > 0 && p.Status.PodIPs[0].IP != "" {
		return p.Status.PodIPs[0].IP
	}
	return "<none>"
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// summarizePod is printPod's READY, STATUS and RESTARTS computation
// (k/pkg/printers/internalversion/printers.go), step for step.
func summarizePod(v podView) podState {
	p := v.Pod
	st := podState{Total: len(p.Spec.Containers), Reason: p.Status.Phase}
	if p.Status.Reason != "" {
		st.Reason = p.Status.Reason
	}
	for _, c := range p.Status.Conditions {
		if c.Type == "PodScheduled" && c.Reason == reasonSchedulingGated {
			st.Reason = reasonSchedulingGated
		}
	}
	sidecars := map[string]bool{}
	for _, c := range v.InitContainers {
		if c.Restartable {
			sidecars[c.Name] = true
			st.Total++
		}
	}
	initializing, sidecarRestarts, sidecarLast := summarizeInit(v, sidecars, &st)
	if !initializing || conditionTrue(p.Status.Conditions, "Initialized") {
		st.Restarts, st.LastRestart = sidecarRestarts, sidecarLast
		summarizeContainers(p, &st)
	}
	if p.DeletionTimestamp != nil {
		if p.Status.Reason == reasonNodeLost {
			st.Reason = "Unknown"
		} else if p.Status.Phase != "Succeeded" && p.Status.Phase != "Failed" {
			st.Reason = "Terminating"
		}
	}
	return st
}

// summarizeInit walks the init containers in order and stops at the first
// one that has not finished; it reports whether the pod is initializing
// and the restarts of the restartable ones.
func summarizeInit(v podView, sidecars map[string]bool, st *podState) (bool, int, time.Time) {
	sidecarRestarts, sidecarLast := 0, time.Time{}
	for i, c := range v.InitStatuses {
		st.Restarts += int(c.RestartCount)
		st.LastRestart = later(st.LastRestart, c.LastState)
		if sidecars[c.Name] {
			sidecarRestarts += int(c.RestartCount)
			sidecarLast = later(sidecarLast, c.LastState)
		}
		t, w := c.State.Terminated, c.State.Waiting
		switch {
		case t != nil && t.ExitCode == 0:
			continue
		case sidecars[c.Name] && c.Started != nil && *c.Started:
			if c.Ready {
				st.Ready++
			}
			continue
		case t != nil:
			st.Reason = "Init:" + terminatedReason(t)
		case w != nil && w.Reason != "" && w.Reason != reasonPodInitializing:
			st.Reason = "Init:" + w.Reason
		default:
			st.Reason = "Init:" + strconv.Itoa(i) + "/" + strconv.Itoa(len(v.InitContainers))
		}
		return true, sidecarRestarts, sidecarLast
	}
	return false, sidecarRestarts, sidecarLast
}

// summarizeContainers walks the regular containers from last to first, so
// that the lowest-index container with a waiting or terminated state
// decides the STATUS.
func summarizeContainers(p *api.Pod, st *podState) {
	hasRunning := false
	cs := p.Status.ContainerStatuses
	for i := len(cs) - 1; i >= 0; i-- {
		c := &cs[i]
		st.Restarts += int(c.RestartCount)
		st.LastRestart = later(st.LastRestart, c.LastState)
		switch {
		case c.State.Waiting != nil && c.State.Waiting.Reason != "":
			st.Reason = c.State.Waiting.Reason
		case c.State.Terminated != nil:
			st.Reason = terminatedReason(c.State.Terminated)
		case c.Ready && c.State.Running != nil:
			hasRunning = true
			st.Ready++
		}
	}
	if st.Reason == "Completed" && hasRunning {
		if conditionTrue(p.Status.Conditions, "Ready") {
			st.Reason = "Running"
		} else {
			st.Reason = "NotReady"
		}
	}
}

// terminatedReason is the reason, or Signal:N / ExitCode:N without one.
func terminatedReason(t *api.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return "Signal:" + strconv.Itoa(int(t.Signal))
	}
	return "ExitCode:" + strconv.Itoa(int(t.ExitCode))
}

// later returns the later of last and the finish of the previous instance.
func later(last time.Time, prev api.ContainerState) time.Time {
	if prev.Terminated != nil && last.Before(prev.Terminated.FinishedAt.Time) {
		return prev.Terminated.FinishedAt.Time
	}
	return last
}

func conditionTrue(conds []api.PodCondition, typ string) bool {
	for _, c := range conds {
		if c.Type == typ && c.Status == "True" {
			return true
		}
	}
	return false
}

// ready is the READY cell.
func (st podState) ready() string { return strconv.Itoa(st.Ready) + "/" + strconv.Itoa(st.Total) }
