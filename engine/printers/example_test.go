package printers_test

import (
	"fmt"
	"os"
	"time"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/printers"
)

// Print pods the way `kubectl get pods` does, with a fixed clock.
func Example() {
	now := time.Date(2026, 7, 23, 12, 0, 0, 0, time.UTC)
	pods := []api.Object{
		&api.Pod{
			ObjectMeta: api.ObjectMeta{Name: "kubia", Namespace: "default", CreationTimestamp: api.NewTime(now.Add(-90 * time.Second))},
			Spec:       api.PodSpec{Containers: []api.Container{{Name: "kubia", Image: "luksa/kubia"}}},
			Status: api.PodStatus{Phase: "Running", ContainerStatuses: []api.ContainerStatus{{
				Name: "kubia", Ready: true, State: api.ContainerState{Running: &api.ContainerStateRunning{}},
			}}},
		},
	}
	if err := printers.PrintObjects(os.Stdout, "pods", pods, "", printers.Options{}, now); err != nil {
		fmt.Println(err)
	}
	if err := printers.PrintObjects(os.Stdout, "pods", pods, "jsonpath={.items[0].status.phase}", printers.Options{}, now); err != nil {
		fmt.Println(err)
	}
	fmt.Println()
	fmt.Println(printers.PrintObjects(os.Stdout, "pods", pods, "xml", printers.Options{}, now))
	// Output:
	// NAME    READY   STATUS    RESTARTS   AGE
	// kubia   1/1     Running   0          90s
	// Running
	// unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml
}

// The Table the API server sends kubectl for `kubectl get pods`.
func ExampleTableFor() {
	now := time.Date(2026, 7, 23, 12, 0, 0, 0, time.UTC)
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "kubia", CreationTimestamp: api.NewTime(now.Add(-time.Hour))},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "kubia"}}}, Status: api.PodStatus{Phase: "Pending"}}
	t, err := printers.TableFor("pods", []api.Object{pod}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range t.Columns {
		fmt.Printf("%s (priority %d): %v\n", c.Name, c.Priority, t.Rows[0].Cells[i])
	}
	// Output:
	// Name (priority 0): kubia
	// Ready (priority 0): 0/1
	// Status (priority 0): Pending
	// Restarts (priority 0): 0
	// Age (priority 0): 60m
	// IP (priority 1): <none>
	// Node (priority 1): <none>
	// Nominated Node (priority 1): <none>
	// Readiness Gates (priority 1): <none>
}
