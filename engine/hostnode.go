package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/minspace/min/containers/image"
	"github.com/minspace/min/containers/network"
	"github.com/minspace/min/engine/api"
	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Heartbeats, as the kubelet's node status updates and the node lifecycle
// controller's grace period.
const (
	heartbeatEvery = 10 * time.Second
	nodeGrace      = 40 * time.Second
)

// startHostNode registers this machine as a node and starts its kubelet.
// It needs root (namespaces, cgroups, the pod bridge).
func (e *Engine) startHostNode() error {
	images, err := image.Open(filepath.Join(e.home, "images"), image.Options{Pinned: e.pinnedLayers})
	if err != nil {
		return err
	}
	nets, err := network.New(e.opts.Network)
	if err != nil {
		return err
	}
	e.images, e.nets = images, nets
	node, err := e.registerHostNode(nets.Gateway().String())
	if err != nil {
		return err
	}
	k, err := e.newKubeletWith(node.Name, node.Spec.PodCIDR, nets.Gateway().String(),
		filepath.Join(e.home, "containers"), e.opts.CgroupParent)
	if err != nil {
		return err
	}
	e.setAgent(node.Name, k)
	e.run(k.loop)
	e.run(e.imageGC)
	e.run(func(ctx context.Context) { e.heartbeat(ctx, node.Name) })
	e.run(e.virtualLoop)
	return nil
}

// HostNodeName is the node name this machine registers as.
func HostNodeName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return strings.ToLower(h)
}

// registerHostNode creates the host's node object, or refreshes its status
// when it exists from an earlier run.
func (e *Engine) registerHostNode(ip string) (*api.Node, error) {
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: HostNodeName(),
		Annotations: map[string]string{NodeTypeAnnotation: NodeHost}}}
	n.Status = hostStatus(ip)
	out, err := e.Create(context.Background(), n, CreateOptions{})
	if errors.Is(err, api.ErrAlreadyExists) {
		out, err = e.updateStatus("nodes", "", n.Name, func(o api.Object) bool {
			o.(*api.Node).Status = hostStatus(ip)
			return true
		})
	}
	if err != nil {
		return nil, fmt.Errorf("registering node %s: %w", n.Name, err)
	}
	return out.(*api.Node), nil
}

// hostStatus measures the machine: cpu, memory, kernel and OS.
func hostStatus(ip string) api.NodeStatus {
	capacity := hostCapacity()
	capacity["pods"] = resource.MustParse("110")
	now := api.Now()
	var uts unix.Utsname
	unix.Uname(&uts)
	return api.NodeStatus{
		Capacity: capacity, Allocatable: capacity.DeepCopy(),
		Conditions: []api.NodeCondition{{Type: "Ready", Status: "True", Reason: "KubeletReady",
			Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}},
		Addresses: []api.NodeAddress{{Type: "InternalIP", Address: ip}, {Type: "Hostname", Address: HostNodeName()}},
		NodeInfo: api.NodeSystemInfo{
			MachineID: readTrim("/etc/machine-id"), BootID: readTrim("/proc/sys/kernel/random/boot_id"),
			KernelVersion: unix.ByteSliceToString(uts.Release[:]), OSImage: osImage(),
			ContainerRuntimeVersion: "min://" + Version, KubeletVersion: KubeVersion,
			OperatingSystem: runtime.GOOS, Architecture: runtime.GOARCH,
		},
	}
}

func readTrim(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func osImage() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return "Linux"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Linux"
}

// heartbeat keeps a node's Ready condition fresh while its kubelet runs.
func (e *Engine) heartbeat(ctx context.Context, node string) {
	e.every(ctx, heartbeatEvery, func() {
		e.updateStatus("nodes", "", node, func(o api.Object) bool {
			n := o.(*api.Node)
			now := e.now()
			for i := range n.Status.Conditions {
				c := &n.Status.Conditions[i]
				if c.Type == "Ready" {
					if c.Status != "True" {
						c.Status, c.Reason, c.Message, c.LastTransitionTime = "True", "KubeletReady", "kubelet is posting ready status", now
					}
					c.LastHeartbeatTime = now
				}
			}
			return true
		})
	})
}

// nodeLifecycle marks nodes whose kubelet stopped heartbeating as
// NotReady (Ready=Unknown), as Kubernetes' node lifecycle controller does.
// Simulated nodes are run by the engine itself and never go stale.
func (e *Engine) nodeLifecycle(ctx context.Context) {
	e.every(ctx, heartbeatEvery, func() {
		list, err := e.List(ctx, "nodes", ListOptions{})
		if err != nil {
			return
		}
		for _, o := range list.Items {
			if n := o.(*api.Node); nodeType(n) == NodeHost || nodeType(n) == NodeVirtual {
				e.markIfStale(n)
			}
		}
	})
}

func (e *Engine) markIfStale(n *api.Node) {
	stale := func(c *api.NodeCondition) bool {
		return c.Type == "Ready" && c.Status == "True" && e.opts.Now().Sub(c.LastHeartbeatTime.Time) > nodeGrace
	}
	e.updateStatus("nodes", "", n.Name, func(o api.Object) bool {
		changed := false
		for i := range o.(*api.Node).Status.Conditions {
			if c := &o.(*api.Node).Status.Conditions[i]; stale(c) {
				c.Status, c.Reason, c.Message = "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."
				c.LastTransitionTime = e.now()
				changed = true
			}
		}
		return changed
	})
}

// hostCapacity is this machine's cpu count and memory.
func hostCapacity() api.ResourceList {
	return api.ResourceList{
		"cpu":    *resource.NewQuantity(int64(runtime.NumCPU()), resource.DecimalSI),
		"memory": *resource.NewQuantity(memTotal(), resource.BinarySI),
	}
}
