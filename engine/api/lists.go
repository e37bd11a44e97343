package api

import (
	"encoding/json"
	"fmt"
)

// PodList is a list of pods, as GET /api/v1/pods returns it.
type PodList struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []Pod `json:"items"`
}

// NodeList is a list of nodes.
type NodeList struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []Node `json:"items"`
}

// NamespaceList is a list of namespaces.
type NamespaceList struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []Namespace `json:"items"`
}

// ReplicationControllerList is a list of replication controllers.
type ReplicationControllerList struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []ReplicationController `json:"items"`
}

// EventList is a list of events.
type EventList struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []Event `json:"items"`
}

// List is Kubernetes' `kind: List`: objects of any kind, each carrying
// its own apiVersion and kind.
type List struct {
	TypeMeta `json:",inline"`
	ListMeta `json:"metadata"`
	Items    []Object `json:"items"`
}

// UnmarshalJSON decodes each item by its kind (leniently: unknown fields
// are ignored here; engine/manifest is the strict decoder for user input).
func (l *List) UnmarshalJSON(b []byte) error {
	var raw struct {
		TypeMeta `json:",inline"`
		ListMeta `json:"metadata"`
		Items    []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	l.TypeMeta, l.ListMeta = raw.TypeMeta, raw.ListMeta
	l.Items = make([]Object, 0, len(raw.Items))
	for i, item := range raw.Items {
		var tm TypeMeta
		if err := json.Unmarshal(item, &tm); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		k, ok := KindByName(tm.Kind)
		if !ok {
			return fmt.Errorf("items[%d]: no matches for kind %q in version %q", i, tm.Kind, tm.APIVersion)
		}
		obj := k.New()
		if err := json.Unmarshal(item, obj); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		l.Items = append(l.Items, obj)
	}
	return nil
}
