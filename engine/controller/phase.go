package controller

import "github.com/minspace/min/engine/api"

// Pod phases and condition values, as Kubernetes spells them.
const (
	phasePending   = "Pending"
	phaseRunning   = "Running"
	phaseSucceeded = "Succeeded"
	phaseFailed    = "Failed"
	phaseUnknown   = "Unknown"

	condTrue = "True"
)

// PodPhase computes a pod's phase from its containers' statuses, as the
// kubelet's getPhase does (reference §6.2): a container with no status
// counts as unknown, a waiting container that ran before counts as stopped.
// Min has no init containers. The caller keeps a terminal phase: once
// Succeeded or Failed a pod never goes back (see IsTerminal).
func PodPhase(spec *api.PodSpec, statuses []api.ContainerStatus) string {
	var unknown, running, waiting, stopped, succeeded int
	for i := range spec.Containers {
		cs := containerStatus(statuses, spec.Containers[i].Name)
		switch {
		case cs == nil:
			unknown++
		case cs.State.Running != nil:
			running++
		case cs.State.Terminated != nil:
			stopped++
			if cs.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case cs.State.Waiting != nil:
			if cs.LastState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		default:
			unknown++
		}
	}
	switch {
	case waiting > 0:
		return phasePending
	case running > 0 && unknown == 0:
		return phaseRunning
	case running == 0 && stopped > 0 && unknown == 0:
		return stoppedPhase(spec.RestartPolicy, stopped == succeeded)
	}
	return phasePending
}

// stoppedPhase is the phase of a pod whose containers have all exited:
// Always restarts them (Running); otherwise all exit 0 is Succeeded, a
// failure is Failed under Never and Running (restarting) under OnFailure.
func stoppedPhase(restartPolicy string, allSucceeded bool) string {
	switch {
	case restartPolicy == "" || restartPolicy == api.RestartPolicyAlways:
		return phaseRunning
	case allSucceeded:
		return phaseSucceeded
	case restartPolicy == api.RestartPolicyNever:
		return phaseFailed
	}
	return phaseRunning
}

// IsTerminal reports whether phase is Succeeded or Failed, which a pod never
// leaves.
func IsTerminal(phase string) bool { return phase == phaseSucceeded || phase == phaseFailed }

func containerStatus(statuses []api.ContainerStatus, name string) *api.ContainerStatus {
	for i := range statuses {
		if statuses[i].Name == name {
			return &statuses[i]
		}
	}
	return nil
}

// IsPodReady reports whether the pod's Ready condition is True.
func IsPodReady(p *api.Pod) bool {
	c := podCondition(&p.Status, "Ready")
	return c != nil && c.Status == condTrue
}

func podCondition(s *api.PodStatus, typ string) *api.PodCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == typ {
			return &s.Conditions[i]
		}
	}
	return nil
}
