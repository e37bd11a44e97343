package openapi

// supplement adds what the Kubernetes document Generate reads (client-go's
// test data, generated before these fields existed) lacks, in Kubernetes'
// own words (k8s.io/api core/v1 types.go of 1.32).
func supplement(schemas map[string]map[string]any) {
	if ps, ok := schemas["io.k8s.api.core.v1.PodStatus"]; ok {
		if props, ok := ps["properties"].(map[string]any); ok {
			if _, has := props["hostIPs"]; !has {
				props["hostIPs"] = map[string]any{
					"description": "hostIPs holds the IP addresses allocated to the host. If this field is specified, the first entry must match the hostIP field. This list is empty if the pod has not started yet. A pod can be assigned to a node that has a problem in kubelet which in turns means that HostIPs will not be updated even if there is a node is assigned to this pod.",
					"type":        "array",
					"items": map[string]any{"allOf": []any{map[string]any{"$ref": schemaPrefix + "io.k8s.api.core.v1.HostIP"}},
						"default": map[string]any{}},
					"x-kubernetes-list-type":       "atomic",
					"x-kubernetes-patch-merge-key": "ip",
					"x-kubernetes-patch-strategy":  "merge",
				}
			}
		}
	}
	if _, ok := schemas["io.k8s.api.core.v1.HostIP"]; !ok {
		schemas["io.k8s.api.core.v1.HostIP"] = map[string]any{
			"description": "HostIP represents a single IP address allocated to the host.",
			"type":        "object",
			"required":    []any{"ip"},
			"properties": map[string]any{
				"ip": map[string]any{"description": "IP is the IP address assigned to the host", "type": "string", "default": ""},
			},
		}
	}
}
