package network_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/minspace/min/containers/network"
)

// A node agent wires a pod: one Manager per process, a Node per node CIDR, Setup when
// the pod's namespace exists, Teardown when the pod goes. (Needs root; not run by go
// test, which must pass without it: the root tests in this package cover the same.)
func ExampleManager_Node() {
	m, err := network.New(network.Options{}) // min0, 10.244.0.0/16, /run/min/network
	if err != nil {
		log.Fatal(err)
	}
	node, err := m.Node("10.244.1.0/24")
	if err != nil {
		log.Fatal(err)
	}
	ns := filepath.Join("/run/min/netns", "pod-uid") // or /proc/<shim pid>/ns/net
	if err := network.NewNetNS(ns); err != nil {
		log.Fatal(err)
	}
	defer network.DeleteNetNS(ns)
	ip, err := node.Setup("pod-uid", ns)
	if err != nil {
		log.Fatal(err)
	}
	defer node.Teardown("pod-uid", ns)
	fmt.Println("pod IP", ip)

	// port-forward: each accepted local connection is dialled inside the pod.
	c, err := network.DialContext(context.Background(), ns, "tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	c.Close()
}
