package printers

import (
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/minspace/min/engine/api"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// node is describeNode. Min has no node leases, so the Lease block of a
// Kubernetes node is left out (as kubectl does without a lease client).
func (d *describer) node(n *api.Node, pods []*api.Pod, evs []*api.Event) {
	d.write(level0, "Name:\t%s\n", n.Name)
	d.write(level0, "Roles:\t%s\n", orNone(strings.Join(nodeRoles(n), ",")))
	d.labels("Labels", n.Labels)
	d.annotations("Annotations", n.Annotations)
	d.write(level0, "CreationTimestamp:\t%s\n", d.stamp(n.CreationTimestamp.Time))
	d.taints(n.Spec.Taints)
	d.write(level0, "Unschedulable:\t%v\n", n.Spec.Unschedulable)
	d.nodeConditions(n.Status.Conditions)
	d.write(level0, "Addresses:\n")
	for _, a := range n.Status.Addresses {
		d.write(level1, "%s:\t%s\n", a.Type, a.Address)
	}
	d.resourceBlock("Capacity", n.Status.Capacity)
	d.resourceBlock("Allocatable", n.Status.Allocatable)
	d.systemInfo(n.Status.NodeInfo)
	if n.Spec.PodCIDR != "" {
		d.write(level0, "PodCIDR:\t%s\n", n.Spec.PodCIDR)
	}
	if len(n.Spec.PodCIDRs) > 0 {
		d.write(level0, "PodCIDRs:\t%s\n", strings.Join(n.Spec.PodCIDRs, ","))
	}
	d.nodeResources(n, pods)
	d.events(evs)
}

// taints is printNodeTaintsMultiline: sorted by effect, then key.
func (d *describer) taints(ts []api.Taint) {
	d.write(level0, "Taints:\t")
	if len(ts) == 0 {
		d.write(level0, "<none>\n")
		return
	}
	ts = append([]api.Taint(nil), ts...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Effect+","+ts[i].Key < ts[j].Effect+","+ts[j].Key })
	for i, t := range ts {
		if i != 0 {
			d.write(level0, "\t")
		}
		if t.Value == "" {
			d.write(level0, "%s:%s\n", t.Key, t.Effect)
		} else {
			d.write(level0, "%s=%s:%s\n", t.Key, t.Value, t.Effect)
		}
	}
}

func (d *describer) nodeConditions(cs []api.NodeCondition) {
	if len(cs) == 0 {
		return
	}
	d.write(level0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
	d.write(level1, "----\t------\t-----------------\t------------------\t------\t-------\n")
	for _, c := range cs {
		d.write(level1, "%v \t%v \t%s \t%s \t%v \t%v\n", c.Type, c.Status,
			d.stamp(c.LastHeartbeatTime.Time), d.stamp(c.LastTransitionTime.Time), c.Reason, c.Message)
	}
}

func (d *describer) resourceBlock(title string, list api.ResourceList) {
	if len(list) == 0 {
		return
	}
	d.write(level0, "%s:\n", title)
	for _, name := range sortedResourceNames(list) {
		q := list[name]
		d.write(level0, "  %s:\t%s\n", name, q.String())
	}
}

func (d *describer) systemInfo(i api.NodeSystemInfo) {
	d.write(level0, "System Info:\n")
	for _, f := range [][2]string{
		{"Machine ID", i.MachineID}, {"System UUID", i.SystemUUID}, {"Boot ID", i.BootID},
		{"Kernel Version", i.KernelVersion}, {"OS Image", i.OSImage}, {"Operating System", i.OperatingSystem},
		{"Architecture", i.Architecture}, {"Container Runtime Version", i.ContainerRuntimeVersion},
		{"Kubelet Version", i.KubeletVersion}, {"Kube-Proxy Version", i.KubeProxyVersion},
	} {
		d.write(level0, "  %s:\t%s\n", f[0], f[1])
	}
}

// nodePods keeps the non-terminated pods bound to node, in the order the
// API lists them (namespace, then name).
func nodePods(pods []*api.Pod, node string) []*api.Pod {
	var out []*api.Pod
	for _, p := range pods {
		if p.Spec.NodeName == node && p.Status.Phase != "Succeeded" && p.Status.Phase != "Failed" {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// nodeResources is describeNodeResource: each pod's cpu and memory
// against the node's allocatable, then the totals.
func (d *describer) nodeResources(n *api.Node, pods []*api.Pod) {
	d.write(level0, "Non-terminated Pods:\t(%d in total)\n", len(pods))
	d.write(level1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
	d.write(level1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
	alloc := n.Status.Capacity
	if len(n.Status.Allocatable) > 0 {
		alloc = n.Status.Allocatable
	}
	cpu, mem := alloc["cpu"], alloc["memory"]
	for _, p := range pods {
		req, lim := podRequestsAndLimits(p)
		d.write(level1, "%s\t%s\t\t%s\t%s\t%s\t%s\t%s\n", p.Namespace, p.Name,
			share(req["cpu"], cpu, true), share(lim["cpu"], cpu, true),
			share(req["memory"], mem, false), share(lim["memory"], mem, false), d.since(p.CreationTimestamp.Time))
	}
	d.write(level0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
	d.write(level1, "Resource\tRequests\tLimits\n")
	d.write(level1, "--------\t--------\t------\n")
	reqs, lims := totalRequestsAndLimits(pods)
	for _, r := range []struct {
		name  string
		milli bool
	}{{"cpu", true}, {"memory", false}, {"ephemeral-storage", false}} {
		a := alloc[r.name]
		d.write(level1, "%s\t%s\t%s\n", r.name, shareOrZero(reqs[r.name], a, r.milli), shareOrZero(lims[r.name], a, r.milli))
	}
	d.extendedResources(alloc, reqs, lims)
}

func (d *describer) extendedResources(alloc, reqs, lims api.ResourceList) {
	var huge, ext []string
	for name := range alloc {
		switch {
		case strings.HasPrefix(name, "hugepages-"):
			huge = append(huge, name)
		case name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pods":
			ext = append(ext, name)
		}
	}
	sort.Strings(huge)
	sort.Strings(ext)
	for _, name := range huge {
		d.write(level1, "%s\t%s\t%s\n", name, shareOrZero(reqs[name], alloc[name], false), shareOrZero(lims[name], alloc[name], false))
	}
	for _, name := range ext {
		req, lim := reqs[name], lims[name]
		d.write(level1, "%s\t%s\t%s\n", name, req.String(), lim.String())
	}
}

// share prints q and its percentage of total for one pod: kubectl divides
// without a zero check there (a node without allocatable cpu prints the
// float conversion of Inf or NaN to int64).
func share(q, total resource.Quantity, milli bool) string {
	return q.String() + " (" + itoa(int64(fraction(q, total, milli))) + "%)"
}

// shareOrZero is share for the totals, where kubectl prints 0% for a zero
// total.
func shareOrZero(q, total resource.Quantity, milli bool) string {
	f := 0.0
	if value(total, milli) != 0 {
		f = fraction(q, total, milli)
	}
	return q.String() + " (" + itoa(int64(f)) + "%)"
}

func fraction(q, total resource.Quantity, milli bool) float64 {
	return float64(value(q, milli)) / float64(value(total, milli)) * 100
}

func value(q resource.Quantity, milli bool) int64 {
	if milli {
		return q.MilliValue()
	}
	return q.Value()
}

// podRequestsAndLimits sums the requests and limits of a pod's containers.
func podRequestsAndLimits(p *api.Pod) (api.ResourceList, api.ResourceList) {
	reqs, lims := api.ResourceList{}, api.ResourceList{}
	for _, c := range p.Spec.Containers {
		addResources(reqs, c.Resources.Requests)
		addResources(lims, c.Resources.Limits)
	}
	return reqs, lims
}

func totalRequestsAndLimits(pods []*api.Pod) (api.ResourceList, api.ResourceList) {
	reqs, lims := api.ResourceList{}, api.ResourceList{}
	for _, p := range pods {
		r, l := podRequestsAndLimits(p)
		addResources(reqs, r)
		addResources(lims, l)
	}
	return reqs, lims
}

func addResources(sum, add api.ResourceList) {
	for name, q := range add {
		if cur, ok := sum[name]; ok {
			cur.Add(q)
			sum[name] = cur
		} else {
			sum[name] = q.DeepCopy()
		}
	}
}

func sortedResourceNames(l api.ResourceList) []string {
	names := make([]string, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
