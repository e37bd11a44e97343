package api

// Event records something that happened to an object (Scheduled, Pulled…).
type Event struct {
	TypeMeta            `json:",inline"`
	ObjectMeta          `json:"metadata"`
	InvolvedObject      ObjectReference `json:"involvedObject"`
	Reason              string          `json:"reason,omitempty"`
	Message             string          `json:"message,omitempty"`
	Source              EventSource     `json:"source,omitzero"`
	FirstTimestamp      Time            `json:"firstTimestamp,omitzero"`
	LastTimestamp       Time            `json:"lastTimestamp,omitzero"`
	Count               int32           `json:"count,omitempty"`
	Type                string          `json:"type,omitempty"`
	EventTime           MicroTime       `json:"eventTime,omitzero"`
	ReportingController string          `json:"reportingComponent,omitempty"`
	ReportingInstance   string          `json:"reportingInstance,omitempty"`
}

// ObjectReference names the object an event is about.
type ObjectReference struct {
	Kind            string `json:"kind,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	FieldPath       string `json:"fieldPath,omitempty"`
}

// EventSource: the component that reported the event.
type EventSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}
