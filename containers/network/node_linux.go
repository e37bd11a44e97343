package network

import "fmt"

// Node is a Manager bound to one node's pod CIDR. Its methods have the shape the
// container runtime asks for (containers.PodNetwork), so a node agent hands a Node
// to the runtime without either package importing the other.
type Node struct {
	m    *Manager
	cidr string
}

// Node binds the Manager to nodeCIDR ("" = the default node's CIDR), which must lie
// inside the cluster CIDR.
func (m *Manager) Node(nodeCIDR string) (*Node, error) {
	p, err := m.cfg.nodePrefix(nodeCIDR)
	if err != nil {
		return nil, err
	}
	return &Node{m: m, cidr: p.String()}, nil
}

// CIDR is the node's pod CIDR.
func (n *Node) CIDR() string { return n.cidr }

// Setup is Manager.Setup in the node's CIDR, returning the address as a string.
func (n *Node) Setup(podID, netnsPath string) (string, error) {
	ip, err := n.m.Setup(podID, netnsPath, n.cidr)
	if err != nil {
		return "", fmt.Errorf("node %s: %w", n.cidr, err)
	}
	return ip.String(), nil
}

// Teardown is Manager.Teardown: idempotent, and netnsPath may be "" or gone.
func (n *Node) Teardown(podID, netnsPath string) error {
	return n.m.Teardown(podID, netnsPath)
}
