package controller

import (
	"testing"

	"github.com/minspace/min/engine/api"
)

func running() api.ContainerState {
	return api.ContainerState{Running: &api.ContainerStateRunning{}}
}

func exited(code int32) api.ContainerState {
	return api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: code}}
}

func waitingState(reason string) api.ContainerState {
	return api.ContainerState{Waiting: &api.ContainerStateWaiting{Reason: reason}}
}

func TestPodPhase(t *testing.T) {
	type cs struct {
		name  string
		state api.ContainerState
		last  api.ContainerState
	}
	tests := []struct {
		name     string
		policy   string
		names    []string // containers of the spec
		statuses []cs
		want     string
	}{
		{"no statuses yet", "Always", []string{"a"}, nil, "Pending"},
		{"creating", "Always", []string{"a"}, []cs{{name: "a", state: waitingState("ContainerCreating")}}, "Pending"},
		{"running", "Always", []string{"a"}, []cs{{name: "a", state: running()}}, "Running"},
		{"one running one creating", "Always", []string{"a", "b"}, []cs{{name: "a", state: running()}, {name: "b", state: waitingState("ContainerCreating")}}, "Pending"},
		{"one running one without status", "Always", []string{"a", "b"}, []cs{{name: "a", state: running()}}, "Pending"},
		{"running and exited", "Never", []string{"a", "b"}, []cs{{name: "a", state: running()}, {name: "b", state: exited(1)}}, "Running"},
		{"crash loop counts as stopped", "Always", []string{"a"}, []cs{{name: "a", state: waitingState("CrashLoopBackOff"), last: exited(1)}}, "Running"},
		{"Always, all exited 0", "Always", []string{"a"}, []cs{{name: "a", state: exited(0)}}, "Running"},
		{"default policy is Always", "", []string{"a"}, []cs{{name: "a", state: exited(1)}}, "Running"},
		{"OnFailure, all exited 0", "OnFailure", []string{"a", "b"}, []cs{{name: "a", state: exited(0)}, {name: "b", state: exited(0)}}, "Succeeded"},
		{"OnFailure, one failed", "OnFailure", []string{"a", "b"}, []cs{{name: "a", state: exited(0)}, {name: "b", state: exited(2)}}, "Running"},
		{"Never, all exited 0", "Never", []string{"a"}, []cs{{name: "a", state: exited(0)}}, "Succeeded"},
		{"Never, one failed", "Never", []string{"a", "b"}, []cs{{name: "a", state: exited(0)}, {name: "b", state: exited(137)}}, "Failed"},
		{"Never, waiting after a failure", "Never", []string{"a"}, []cs{{name: "a", state: waitingState(""), last: exited(1)}}, "Failed"},
		{"exited with one unknown", "Never", []string{"a", "b"}, []cs{{name: "a", state: exited(0)}, {name: "b"}}, "Pending"},
		{"status of a container not in the spec is ignored", "Always", []string{"a"}, []cs{{name: "a", state: running()}, {name: "zz", state: waitingState("x")}}, "Running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &api.PodSpec{RestartPolicy: tt.policy}
			for _, n := range tt.names {
				spec.Containers = append(spec.Containers, api.Container{Name: n})
			}
			var statuses []api.ContainerStatus
			for _, s := range tt.statuses {
				statuses = append(statuses, api.ContainerStatus{Name: s.name, State: s.state, LastState: s.last})
			}
			if got := PodPhase(spec, statuses); got != tt.want {
				t.Fatalf("PodPhase = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	for phase, want := range map[string]bool{"Pending": false, "Running": false, "Unknown": false, "Succeeded": true, "Failed": true} {
		if got := IsTerminal(phase); got != want {
			t.Errorf("IsTerminal(%s) = %v", phase, got)
		}
	}
}
