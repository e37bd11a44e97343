package printers

import (
	"testing"
	"time"

	"github.com/minspace/min/engine/api"
)

// TestPodColumns covers every row of §6.6's scenario table and the other
// branches of printPod's STATUS algorithm.
func TestPodColumns(t *testing.T) {
	none := api.ContainerState{}
	cases := []struct {
		name                    string
		pod                     *api.Pod
		ready, status, restarts string
	}{
		{"created, not scheduled", pod("p", time.Minute), "0/1", "Pending", "0"},
		{"no node fits", pod("p", time.Minute, func(p *api.Pod) {
			p.Status.Conditions = []api.PodCondition{{Type: "PodScheduled", Status: "False", Reason: "Unschedulable"}}
		}), "0/1", "Pending", "0"},
		{"scheduled, creating", pod("p", time.Minute, scheduled("n1", ""),
			status("Pending", cstatus("kubia", false, 0, waiting("ContainerCreating"), none))), "0/1", "ContainerCreating", "0"},
		{"running, ready", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Running", cstatus("kubia", true, 0, running(time.Minute), none))), "1/1", "Running", "0"},
		{"running, readiness failing", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Running", cstatus("kubia", false, 0, running(time.Minute), none))), "0/1", "Running", "0"},
		{"Never, exited 0", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Succeeded", cstatus("kubia", false, 0, terminated(0, "Completed", 5*time.Second), none))), "0/1", "Completed", "0"},
		{"Never, exited 1", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Failed", cstatus("kubia", false, 0, terminated(1, "Error", 5*time.Second), none))), "0/1", "Error", "0"},
		{"Always, in back-off", pod("p", 5*time.Minute, scheduled("n1", "10.0.0.1"),
			status("Running", cstatus("kubia", false, 3, waiting("CrashLoopBackOff"), terminated(1, "Error", 25*time.Second)))),
			"0/1", "CrashLoopBackOff", "3 (25s ago)"},
		{"Always, just restarted", pod("p", 5*time.Minute, scheduled("n1", "10.0.0.1"),
			status("Running", cstatus("kubia", true, 1, running(4*time.Second), terminated(1, "Error", 5*time.Second)))),
			"1/1", "Running", "1 (5s ago)"},
		{"2 containers, #2 in back-off", pod("p", 5*time.Minute, scheduled("n1", "10.0.0.1"), func(p *api.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: "side", Image: "busybox"})
		}, status("Running",
			cstatus("kubia", true, 0, running(time.Minute), none),
			cstatus("side", false, 2, waiting("CrashLoopBackOff"), terminated(1, "Error", 10*time.Second)))),
			"1/2", "CrashLoopBackOff", "2 (10s ago)"},
		{"terminated without reason", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Failed", cstatus("kubia", false, 0, terminated(2, "", time.Second), none))), "0/1", "ExitCode:2", "0"},
		{"terminated by a signal", pod("p", time.Minute, scheduled("n1", "10.0.0.1"), status("Failed",
			api.ContainerStatus{Name: "kubia", State: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 137, Signal: 9}}})),
			"0/1", "Signal:9", "0"},
		{"deleted while running", pod("p", time.Minute, scheduled("n1", "10.0.0.1"), func(p *api.Pod) {
			p.DeletionTimestamp = agoPtr(-30 * time.Second)
		}, status("Running", cstatus("kubia", true, 0, running(time.Minute), none))), "1/1", "Terminating", "0"},
		{"deleted after completing", pod("p", time.Minute, scheduled("n1", "10.0.0.1"), func(p *api.Pod) {
			p.DeletionTimestamp = agoPtr(0)
		}, status("Succeeded", cstatus("kubia", false, 0, terminated(0, "Completed", time.Second), none))), "0/1", "Completed", "0"},
		{"deleted on a lost node", pod("p", time.Minute, scheduled("n1", "10.0.0.1"), func(p *api.Pod) {
			p.DeletionTimestamp = agoPtr(0)
			p.Status.Reason = "NodeLost"
		}, status("Running", cstatus("kubia", true, 0, running(time.Minute), none))), "1/1", "Unknown", "0"},
		{"image cannot be pulled", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Pending", cstatus("kubia", false, 0, waiting("ErrImagePull"), none))), "0/1", "ErrImagePull", "0"},
		{"image pull back-off", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Pending", cstatus("kubia", false, 0, waiting("ImagePullBackOff"), none))), "0/1", "ImagePullBackOff", "0"},
		{"evicted", pod("p", time.Minute, func(p *api.Pod) { p.Status.Phase, p.Status.Reason = "Failed", "Evicted" }), "0/1", "Evicted", "0"},
		{"scheduling gated", pod("p", time.Minute, func(p *api.Pod) {
			p.Status.Conditions = []api.PodCondition{{Type: "PodScheduled", Status: "False", Reason: "SchedulingGated"}}
		}), "0/1", "SchedulingGated", "0"},
		{"completed container beside a running one, pod ready", pod("p", time.Minute, func(p *api.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: "job"})
		}, readyCondition("True"), status("Running",
			cstatus("job", false, 0, terminated(0, "Completed", time.Second), none),
			cstatus("kubia", true, 0, running(time.Minute), none))), "1/2", "Running", "0"},
		{"completed container beside a running one, pod not ready", pod("p", time.Minute, func(p *api.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: "job"})
		}, readyCondition("False"), status("Running",
			cstatus("job", false, 0, terminated(0, "Completed", time.Second), none),
			cstatus("kubia", true, 0, running(time.Minute), none))), "1/2", "NotReady", "0"},
		{"restarted but no finish time known", pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Running", cstatus("kubia", true, 2, running(time.Minute), none))), "1/1", "Running", "2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row, err := podRow(c.pod, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := [3]any{row.Cells[1], row.Cells[2], row.Cells[3]}
			if want := [3]any{c.ready, c.status, c.restarts}; got != want {
				t.Errorf("READY, STATUS, RESTARTS = %q, want %q", got, want)
			}
		})
	}
}

// TestPodInitColumns covers the init-container branches of STATUS (the
// last row of §6.6's table among them) on podView, which carries init
// containers that engine/api does not model yet.
func TestPodInitColumns(t *testing.T) {
	none := api.ContainerState{}
	two := []initContainer{{Name: "init-a"}, {Name: "init-b"}}
	base := func() *api.Pod {
		return pod("p", time.Minute, scheduled("n1", "10.0.0.1"),
			status("Pending", cstatus("kubia", false, 0, waiting("PodInitializing"), none)))
	}
	cases := []struct {
		name                    string
		inits                   []initContainer
		statuses                []api.ContainerStatus
		initialized             bool
		ready, status, restarts string
	}{
		{"first of 2 running", two, []api.ContainerStatus{
			cstatus("init-a", false, 0, running(time.Second), none), cstatus("init-b", false, 0, waiting("PodInitializing"), none)},
			false, "0/1", "Init:0/2", "0"},
		{"second of 2 running", two, []api.ContainerStatus{
			cstatus("init-a", false, 0, terminated(0, "Completed", time.Second), none), cstatus("init-b", false, 0, running(time.Second), none)},
			false, "0/1", "Init:1/2", "0"},
		{"init failed", two, []api.ContainerStatus{
			cstatus("init-a", false, 0, terminated(1, "Error", time.Second), none)}, false, "0/1", "Init:Error", "0"},
		{"init failed without reason", two, []api.ContainerStatus{
			cstatus("init-a", false, 0, terminated(3, "", time.Second), none)}, false, "0/1", "Init:ExitCode:3", "0"},
		{"init killed", two, []api.ContainerStatus{{Name: "init-a",
			State: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 137, Signal: 9}}}}, false, "0/1", "Init:Signal:9", "0"},
		{"init in back-off", two, []api.ContainerStatus{
			cstatus("init-a", false, 4, waiting("CrashLoopBackOff"), terminated(1, "Error", 20*time.Second))},
			false, "0/1", "Init:CrashLoopBackOff", "4 (20s ago)"},
		{"sidecar started and ready", []initContainer{{Name: "side", Restartable: true}}, []api.ContainerStatus{
			{Name: "side", Ready: true, Started: ptr(true), RestartCount: 1, State: running(time.Second), LastState: terminated(1, "Error", 8*time.Second)}},
			true, "1/2", "PodInitializing", "1 (8s ago)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base()
			if c.initialized {
				p.Status.Conditions = []api.PodCondition{{Type: "Initialized", Status: "True"}}
			}
			st := summarizePod(podView{Pod: p, InitContainers: c.inits, InitStatuses: c.statuses})
			got := [3]string{st.ready(), st.Reason, restartsCell(st, now)}
			if want := [3]string{c.ready, c.status, c.restarts}; got != want {
				t.Errorf("READY, STATUS, RESTARTS = %q, want %q", got, want)
			}
		})
	}
}

// TestHumanDuration is §6.7's AGE table.
func TestHumanDuration(t *testing.T) {
	day, year := 24*time.Hour, 365*24*time.Hour
	cases := []struct {
		d    time.Duration
		want string
	}{
		{-2 * time.Second, "<invalid>"}, {-1500 * time.Millisecond, "0s"}, {999 * time.Millisecond, "0s"},
		{time.Second, "1s"}, {59 * time.Second, "59s"}, {60 * time.Second, "60s"}, {119 * time.Second, "119s"},
		{2 * time.Minute, "2m"}, {2*time.Minute + 5*time.Second, "2m5s"}, {3*time.Minute + 10*time.Second, "3m10s"},
		{9*time.Minute + 59*time.Second, "9m59s"}, {10 * time.Minute, "10m"}, {10*time.Minute + 30*time.Second, "10m"},
		{2*time.Hour + 59*time.Minute, "179m"}, {3 * time.Hour, "3h"}, {3*time.Hour + 5*time.Minute, "3h5m"},
		{7*time.Hour + 59*time.Minute, "7h59m"}, {8 * time.Hour, "8h"}, {8*time.Hour + 30*time.Minute, "8h"},
		{47 * time.Hour, "47h"}, {48 * time.Hour, "2d"}, {50 * time.Hour, "2d2h"}, {7*day + 23*time.Hour, "7d23h"},
		{8 * day, "8d"}, {729 * day, "729d"}, {730 * day, "2y"}, {733 * day, "2y3d"}, {2920 * day, "8y"}, {10 * year, "10y"},
	}
	for _, c := range cases {
		if got := HumanDuration(c.d); got != c.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := age(time.Time{}, now); got != "<unknown>" {
		t.Errorf("age of an unset time = %q, want <unknown>", got)
	}
}
