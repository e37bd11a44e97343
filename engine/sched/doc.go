// Package sched is Min's scheduler: it keeps a cache of nodes and of the
// resources that bound pods take on them, and picks a node for a pod the way
// kube-scheduler's default profile does.
//
// Filters, in kube-scheduler's plugin order, stopping at the first plugin
// that rejects a node: NodeUnschedulable (spec.unschedulable, unless the pod
// tolerates node.kubernetes.io/unschedulable:NoSchedule), TaintToleration
// (NoSchedule and NoExecute taints), NodeAffinity (spec.nodeSelector and
// requiredDuringSchedulingIgnoredDuringExecution), NodeResourcesFit (pod
// count, cpu, memory and any other requested resource against
// status.allocatable). The score is NodeResourcesFit's LeastAllocated; ties
// go to the node with fewer pods, then round-robin. As kube-scheduler does,
// a search stops once it has found percentageOfNodesToScore feasible nodes
// (adaptive: 50% - nodes/125, at least 5% and 100 nodes) and the next search
// starts where the last one stopped. Which nodes satisfy a set of label
// constraints (nodeSelector plus affinity) is computed once and cached until
// node labels change, so pods stamped from one template filter by index.
//
// A node that is not Ready is filtered as Kubernetes' node lifecycle
// controller would have tainted it: Ready=False adds
// node.kubernetes.io/not-ready:NoSchedule and Ready=Unknown adds
// node.kubernetes.io/unreachable:NoSchedule, so the reason reads
// `node(s) had untolerated taint(s)` and a pod that tolerates the taint may
// still land there. A node without a Ready condition is not tainted.
//
// The package owns decisions only: it does no I/O, binds nothing and keeps
// no package-level state. The engine feeds it nodes and pods from its
// watches, calls ScheduleAndAssume (or Schedule then Assume), binds with a
// compare-and-set, and calls Forget when the binding fails.
//
// It imports engine/api and k8s.io/apimachinery only; it must never import
// buntdb, gopher-lua, engine/store or anything under containers/.
//
// Concurrency: a *Scheduler is safe for use by several goroutines; every
// method takes its lock. It keeps no reference to the objects passed in.
package sched
