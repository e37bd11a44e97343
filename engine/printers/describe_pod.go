package printers

import (
	"strings"

	"github.com/minspace/min/engine/api"
	"github.com/minspace/min/engine/controller"
)

// pod is describePod, for the fields Min's pods have.
func (d *describer) pod(p *api.Pod, evs []*api.Event) {
	d.write(level0, "Name:\t%s\n", p.Name)
	d.write(level0, "Namespace:\t%s\n", p.Namespace)
	if p.Spec.NodeName == "" {
		d.write(level0, "Node:\t<none>\n")
	} else {
		d.write(level0, "Node:\t%s\n", p.Spec.NodeName+"/"+p.Status.HostIP)
	}
	if p.Status.StartTime != nil {
		d.write(level0, "Start Time:\t%s\n", d.stamp(p.Status.StartTime.Time))
	}
	d.labels("Labels", p.Labels)
	d.annotations("Annotations", p.Annotations)
	d.podStatus(p)
	d.write(level0, "IP:\t%s\n", p.Status.PodIP)
	if len(p.Status.PodIPs) == 0 {
		d.write(level0, "IPs:\t<none>\n")
	} else {
		d.write(level0, "IPs:\n")
		for _, ip := range p.Status.PodIPs {
			d.write(level1, "IP:\t%s\n", ip.IP)
		}
	}
	if ref := controllerRef(p.ObjectMeta); ref != nil {
		d.write(level0, "Controlled By:\t%s/%s\n", ref.Kind, ref.Name)
	}
	d.containers("Containers", p.Spec.Containers, p.Status.ContainerStatuses, "")
	if len(p.Status.Conditions) > 0 {
		d.write(level0, "Conditions:\n  Type\tStatus\n")
		for _, c := range p.Status.Conditions {
			d.write(level1, "%v \t%v \n", c.Type, c.Status)
		}
	}
	d.write(level0, "Volumes:\t<none>\n")
	d.write(level0, "QoS Class:\t%s\n", qosClass(p))
	d.labels("Node-Selectors", p.Spec.NodeSelector)
	d.tolerations("", "Tolerations", p.Spec.Tolerations)
	d.events(evs)
}

func (d *describer) podStatus(p *api.Pod) {
	if p.DeletionTimestamp != nil && p.Status.Phase != "Failed" && p.Status.Phase != "Succeeded" {
		d.write(level0, "Status:\tTerminating (lasts %s)\n", d.since(p.DeletionTimestamp.Time))
		grace := int64(0)
		if p.DeletionGracePeriodSeconds != nil {
			grace = *p.DeletionGracePeriodSeconds
		}
		d.write(level0, "Termination Grace Period:\t%ds\n", grace)
	} else {
		d.write(level0, "Status:\t%s\n", p.Status.Phase)
	}
	if p.Status.Reason != "" {
		d.write(level0, "Reason:\t%s\n", p.Status.Reason)
	}
	if p.Status.Message != "" {
		d.write(level0, "Message:\t%s\n", p.Status.Message)
	}
}

// qosClass is kubectl's GetPodQOS: the status field, else computed.
func qosClass(p *api.Pod) string {
	if p.Status.QOSClass != "" {
		return p.Status.QOSClass
	}
	return controller.QOSClass(&p.Spec)
}

// containers is describeContainers; space is the indent of a template.
func (d *describer) containers(label string, cs []api.Container, statuses []api.ContainerStatus, space string) {
	byName := make(map[string]api.ContainerStatus, len(statuses))
	for _, s := range statuses {
		byName[s.Name] = s
	}
	none := ""
	if len(cs) == 0 {
		none = " <none>"
	}
	d.write(level0, "%s%s:%s\n", space, label, none)
	for _, c := range cs {
		st, ok := byName[c.Name]
		d.containerInfo(c, st, ok, space)
		d.command(c)
		if ok {
			d.containerState(st)
		}
		d.resources(c.Resources, level2)
		d.env(c)
		d.write(level2, "Mounts:\t<none>\n")
	}
}

func (d *describer) containerInfo(c api.Container, st api.ContainerStatus, ok bool, space string) {
	indent := ""
	if space != "" {
		indent = " "
	}
	d.write(level1, "%s%v:\n", indent, c.Name)
	if ok {
		d.write(level2, "Container ID:\t%s\n", st.ContainerID)
	}
	d.write(level2, "Image:\t%s\n", c.Image)
	if ok {
		d.write(level2, "Image ID:\t%s\n", st.ImageID)
	}
	ports, hostPorts := make([]string, len(c.Ports)), make([]string, len(c.Ports))
	for i, p := range c.Ports {
		ports[i] = itoa(int64(p.ContainerPort)) + "/" + p.Protocol
		hostPorts[i] = itoa(int64(p.HostPort)) + "/" + p.Protocol
	}
	d.portLine("Port", strings.Join(ports, ", "))
	d.portLine("Host Port", strings.Join(hostPorts, ", "))
}

// portLine prints "Port:" for one, "Ports:" for several.
func (d *describer) portLine(title, ports string) {
	if strings.Contains(ports, ",") {
		d.write(level2, "%ss:\t%s\n", title, ports)
	} else {
		d.write(level2, "%s:\t%s\n", title, orNone(ports))
	}
}

func (d *describer) command(c api.Container) {
	for _, part := range []struct {
		title string
		args  []string
	}{{"Command", c.Command}, {"Args", c.Args}} {
		if len(part.args) == 0 {
			continue
		}
		d.write(level2, "%s:\n", part.title)
		for _, a := range part.args {
			for _, line := range strings.Split(a, "\n") {
				d.write(level3, "%s\n", line)
			}
		}
	}
}

func (d *describer) containerState(st api.ContainerStatus) {
	d.state("State", st.State)
	if st.LastState.Terminated != nil {
		d.state("Last State", st.LastState)
	}
	d.write(level2, "Ready:\t%v\n", printBool(st.Ready))
	d.write(level2, "Restart Count:\t%d\n", st.RestartCount)
}

// state is describeStatus.
func (d *describer) state(name string, s api.ContainerState) {
	switch {
	case s.Running != nil:
		d.write(level2, "%s:\tRunning\n", name)
		d.write(level3, "Started:\t%v\n", d.stamp(s.Running.StartedAt.Time))
	case s.Waiting != nil:
		d.write(level2, "%s:\tWaiting\n", name)
		if s.Waiting.Reason != "" {
			d.write(level3, "Reason:\t%s\n", s.Waiting.Reason)
		}
	case s.Terminated != nil:
		t := s.Terminated
		d.write(level2, "%s:\tTerminated\n", name)
		if t.Reason != "" {
			d.write(level3, "Reason:\t%s\n", t.Reason)
		}
		if t.Message != "" {
			d.write(level3, "Message:\t%s\n", t.Message)
		}
		d.write(level3, "Exit Code:\t%d\n", t.ExitCode)
		if t.Signal > 0 {
			d.write(level3, "Signal:\t%d\n", t.Signal)
		}
		d.write(level3, "Started:\t%s\n", d.stamp(t.StartedAt.Time))
		d.write(level3, "Finished:\t%s\n", d.stamp(t.FinishedAt.Time))
	default:
		d.write(level2, "%s:\tWaiting\n", name)
	}
}

// resources is describeResources: Limits then Requests, names sorted.
func (d *describer) resources(r api.ResourceRequirements, level int) {
	for _, part := range []struct {
		title string
		list  api.ResourceList
	}{{"Limits", r.Limits}, {"Requests", r.Requests}} {
		if len(part.list) == 0 {
			continue
		}
		d.write(level, "%s:\n", part.title)
		for _, name := range sortedResourceNames(part.list) {
			q := part.list[name]
			d.write(level+1, "%s:\t%s\n", name, q.String())
		}
	}
}

// env is describeContainerEnvVars for literal values (the only kind Min has).
func (d *describer) env(c api.Container) {
	if len(c.Env) == 0 {
		d.write(level2, "Environment:\t<none>\n")
		return
	}
	d.write(level2, "Environment:\n")
	for _, e := range c.Env {
		for i, line := range strings.Split(e.Value, "\n") {
			if i == 0 {
				d.write(level3, "%s:\t%s\n", e.Name, line)
			} else {
				d.write(level3, "\t%s\n", line)
			}
		}
	}
}
