package cluster

// Versions Min reports: the Kubernetes release whose behaviour it matches,
// and its own. A client and an engine of different Versions refuse each
// other with a plain message.
const (
	KubeVersion = "v1.36.3"
	Version     = "0.1.0"
)
