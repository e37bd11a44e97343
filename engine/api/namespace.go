package api

// Namespace groups namespaced objects; deleting it deletes its content.
type Namespace struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Spec       NamespaceSpec   `json:"spec,omitzero"`
	Status     NamespaceStatus `json:"status,omitzero"`
}

// NamespaceSpec holds the finalizers that keep a terminating namespace.
type NamespaceSpec struct {
	Finalizers []string `json:"finalizers,omitempty"`
}

// NamespaceStatus: phase Active or Terminating.
type NamespaceStatus struct {
	Phase string `json:"phase,omitempty"`
}
