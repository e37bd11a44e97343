// Package controller holds the decisions of Min's controllers and of its
// simulated node agent, as pure functions over API objects:
//
//   - ReconcileRC: what a ReplicationController must do next (pods to
//     create, surplus pods to delete in Kubernetes' order, orphans to adopt,
//     pods to release) and its new status;
//   - NewPodFromTemplate, SetControllerRef, RemoveControllerRef: the objects
//     those decisions produce;
//   - PodPhase, the kubelet's phase computation, and SimulatedPodStatus, the
//     status a kwok-like simulated node writes for a pod it "runs";
//   - IPAM, a small allocator of pod addresses from a node's pod CIDR.
//
// The engine does the I/O: it lists the pods, writes what the plans say and
// runs the loops. This package imports engine/api and k8s.io/apimachinery
// only; it must never import buntdb, gopher-lua, engine/store or anything
// under containers/.
//
// Concurrency: the functions keep no state and do not modify their
// arguments, except where that is their job: SortForDeletion reorders its
// slice, SetControllerRef and RemoveControllerRef change the pod they are
// given (pass a copy of a shared object). A Plan points at the caller's pods.
// An *IPAM is safe for use by several goroutines.
package controller
