// Package network gives a pod's network namespace its network: an eth0 veth whose host
// end is a port of one node bridge (min0), an IPv4 address from the node's pod CIDR, and
// a single on-link route for the cluster CIDR.
//
// The layout is deliberately flat. Every node's pods sit on one bridge that carries the
// whole cluster CIDR (10.244.0.0/16 by default); the host owns the bridge's first
// address (10.244.0.1/16) and each node's pod CIDR is a /24 inside it. A pod's eth0 gets
// its address with the cluster prefix length, so the kernel's own prefix route
// (10.244.0.0/16 dev eth0 scope link) is the only route it has. Pods therefore reach
// each other and the host at layer 2, without IP forwarding and without NAT, and reach
// nothing else: the package never enables ip_forward, never adds masquerade rules and
// never gives a pod a default route. It touches no host interface but the bridge and
// the veths it creates, and New refuses a cluster CIDR that overlaps a route the host
// already has.
//
// What it owns:
//   - the bridge: made by the first Setup, removed by the last pod's Teardown (or,
//     with Options.KeepBridge, by Manager.RemoveBridge), so an idle Min leaves no
//     interface behind;
//   - the pod veths: the host end is named "min" plus a hash of bridge and pod ID,
//     the pod end is eth0, created directly inside the pod's namespace, with a MAC
//     derived from its address;
//   - IPAM: an append-only allocation log in StateDir/<bridge>.ipam, guarded by flock
//     on StateDir/<bridge>.lock, so the engine and every shim can allocate at the
//     same time without ever handing out one address twice;
//   - helpers to create and remove named network namespaces (NewNetNS, DeleteNetNS)
//     and to open sockets inside one (DialContext, Listen) for port-forward.
//
// How the runtime uses it: the node agent makes one Manager (New) and, per node, a
// Node (Manager.Node) whose Setup(podID, netnsPath) and Teardown(podID, netnsPath)
// are what containers.PodNetwork asks for. netnsPath is any network namespace file:
// /proc/<shim pid>/ns/net or a file made by NewNetNS. Call them from a process in the
// host's network namespace (the engine, not the shim, which lives in the pod's). An
// engine that starts again keeps its running pods' networks as they are (Manager.IP
// tells a pod's address) and tears down the ones Manager.Pods lists but it no longer
// has. Every Manager of one bridge should share one StateDir (the default, on /run,
// is host-wide like the bridge).
//
// It must never import engine/, bindings/, gopher-lua or its parent package
// containers: the runtime calls it, not the other way round.
//
// Concurrency: a Manager holds no mutable state; its methods are safe for concurrent
// use by any number of goroutines and processes sharing a StateDir. Code that must run
// inside a network namespace runs on a fresh goroutine locked to its OS thread; the
// thread goes back to the host namespace before it is unlocked, and if it cannot go
// back it stays locked so that the Go runtime destroys it. No other goroutine ever
// runs in a pod's namespace. IPv4 only.
package network
