package wire

import (
	"encoding/json"
)

// VersionHeader carries Min's version on every request and response, so a
// client and an engine of different versions notice at once.
const VersionHeader = "Min-Version"

// ErrorTrailer carries a Status that ended a stream (logs) after its body
// had started.
const ErrorTrailer = "Min-Error"

// Protocols of the Upgrade header (Min's own; kubectl's WebSocket and SPDY
// protocols are negotiated beside them by the same handlers).
const (
	ExecProtocol        = "min-exec/1"
	PortForwardProtocol = "min-portforward/1"
)

// APIGroup is the group of Min's own endpoints (images).
const APIGroup = "min.minspace.io"

// ImagesPath is the collection of images.
const ImagesPath = "/apis/" + APIGroup + "/v1/images"

// Version is /version: Kubernetes' version.Info plus Min's own version.
type Version struct {
	Major        string `json:"major"`
	Minor        string `json:"minor"`
	GitVersion   string `json:"gitVersion"`
	GitCommit    string `json:"gitCommit"`
	GitTreeState string `json:"gitTreeState"`
	BuildDate    string `json:"buildDate"`
	GoVersion    string `json:"goVersion"`
	Compiler     string `json:"compiler"`
	Platform     string `json:"platform"`
	MinVersion   string `json:"minVersion"`
}

// WatchEvent is one line of a watch stream.
type WatchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// EventError is the type of a watch line carrying a Status.
const EventError = "ERROR"

// ListMeta is the metadata of a list on the wire.
type ListMeta struct {
	ResourceVersion string `json:"resourceVersion"`
}

// List is a list response: items stay raw so that the reader decodes them
// into the kind it expects.
type List struct {
	Kind       string            `json:"kind"`
	APIVersion string            `json:"apiVersion"`
	Metadata   ListMeta          `json:"metadata"`
	Items      []json.RawMessage `json:"items"`
}

// DeleteOptions is Kubernetes' metav1.DeleteOptions, the fields Min uses.
type DeleteOptions struct {
	Kind               string         `json:"kind,omitempty"`
	APIVersion         string         `json:"apiVersion,omitempty"`
	GracePeriodSeconds *int64         `json:"gracePeriodSeconds,omitempty"`
	Preconditions      *Preconditions `json:"preconditions,omitempty"`
	PropagationPolicy  *string        `json:"propagationPolicy,omitempty"`
	OrphanDependents   *bool          `json:"orphanDependents,omitempty"`
	DryRun             []string       `json:"dryRun,omitempty"`
}

// Preconditions of a delete.
type Preconditions struct {
	UID             *string `json:"uid,omitempty"`
	ResourceVersion *string `json:"resourceVersion,omitempty"`
}

// DryRunAll is the only dryRun value Kubernetes accepts.
const DryRunAll = "All"

// ImportRequest asks the engine to import an image from a host path.
type ImportRequest struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// PullRequest asks the engine to pull an image.
type PullRequest struct {
	Ref      string `json:"ref"`
	Insecure bool   `json:"insecure,omitempty"`
}

// ExecResult is the last frame of an exec stream: an exit code, or the
// error that kept the command from running or finishing.
type ExecResult struct {
	ExitCode int     `json:"exitCode"`
	Status   *Status `json:"status,omitempty"`
}
