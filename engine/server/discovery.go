package server

import (
	"net/http"
	"strings"

	"github.com/minspace/min/engine/api"
)

// Legacy discovery (/api, /apis, /api/v1), the form kubectl and client-go
// fall back to when the answer's Content-Type is plain JSON. Min serves
// only the core group v1; its own image endpoints are not Kubernetes
// resources and stay out of discovery.

// Verbs of a stored kind; deletecollection is served by DELETE on the
// collection.
var kindVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// resourceInfo is one entry of an APIResourceList.
type resourceInfo struct {
	Name         string   `json:"name"`
	SingularName string   `json:"singularName"`
	Namespaced   bool     `json:"namespaced"`
	Group        string   `json:"group,omitempty"`
	Version      string   `json:"version,omitempty"`
	Kind         string   `json:"kind"`
	Verbs        []string `json:"verbs"`
	ShortNames   []string `json:"shortNames,omitempty"`
	Categories   []string `json:"categories,omitempty"`
}

type resourceList struct {
	Kind         string         `json:"kind"`
	APIVersion   string         `json:"apiVersion"`
	GroupVersion string         `json:"groupVersion"`
	Resources    []resourceInfo `json:"resources"`
}

type apiVersions struct {
	Kind     string       `json:"kind"`
	Versions []string     `json:"versions"`
	Servers  []serverCIDR `json:"serverAddressByClientCIDRs"`
}

type serverCIDR struct {
	ClientCIDR    string `json:"clientCIDR"`
	ServerAddress string `json:"serverAddress"`
}

type groupList struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Groups     []any  `json:"groups"`
}

// subresource is a subresource Min serves, and the kind it answers with.
type subresource struct {
	parent, name, kind, group, version string
	verbs                              []string
}

var subresources = []subresource{
	{parent: "pods", name: "log", kind: "Pod", verbs: []string{"get"}},
	{parent: "pods", name: "exec", kind: "PodExecOptions", verbs: []string{"create", "get"}},
	{parent: "pods", name: "portforward", kind: "PodPortForwardOptions", verbs: []string{"create", "get"}},
	{parent: "pods", name: "status", kind: "Pod", verbs: []string{"get"}},
	{parent: "replicationcontrollers", name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: []string{"get", "patch", "update"}},
}

// categories are the resource categories a kind belongs to: "all" drives
// `kubectl get all` and `delete all --all`.
func categories(resource string) []string {
	switch resource {
	case "pods", "replicationcontrollers":
		return []string{"all"}
	}
	return nil
}

// coreResources is the APIResourceList of /api/v1.
func coreResources() resourceList {
	l := resourceList{Kind: "APIResourceList", APIVersion: "v1", GroupVersion: "v1"}
	for _, k := range api.Kinds {
		l.Resources = append(l.Resources, resourceInfo{Name: k.Resource, SingularName: k.Singular,
			Namespaced: k.Namespaced, Kind: k.Kind, Verbs: kindVerbs, ShortNames: k.ShortNames,
			Categories: categories(k.Resource)})
		for _, s := range subresources {
			if s.parent == k.Resource {
				l.Resources = append(l.Resources, resourceInfo{Name: k.Resource + "/" + s.name,
					Namespaced: k.Namespaced, Group: s.group, Version: s.version, Kind: s.kind, Verbs: s.verbs})
			}
		}
	}
	return l
}

// discoveryDocs are the discovery answers, encoded once.
type discoveryDocs struct {
	api    hostFixed // names the address the client reached
	apis   *fixed
	coreV1 *fixed
}

func newDiscoveryDocs() *discoveryDocs {
	d := &discoveryDocs{apis: fixedJSON(groupList{Kind: "APIGroupList", APIVersion: "v1", Groups: []any{}}),
		coreV1: fixedJSON(coreResources())}
	d.api.make = func(host string) *fixed {
		return fixedJSON(apiVersions{Kind: "APIVersions", Versions: []string{"v1"},
			Servers: []serverCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: host}}})
	}
	return d
}

// discovery serves /api, /apis and /api/v1 (GET only).
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) bool {
	var f *fixed
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/api":
		f = s.docs.api.get(r.Host)
	case "/apis":
		f = s.docs.apis
	case "/api/v1":
		f = s.docs.coreV1
	default:
		return false
	}
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed())
		return true
	}
	f.serve(w, r)
	return true
}
