package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/minspace/min/engine/api"
)

// Status is Kubernetes' metav1.Status as it travels on the wire.
type Status struct {
	Kind       string             `json:"kind"`
	APIVersion string             `json:"apiVersion"`
	Metadata   struct{}           `json:"metadata"`
	Status     string             `json:"status"`
	Message    string             `json:"message,omitempty"`
	Reason     string             `json:"reason,omitempty"`
	Details    *api.StatusDetails `json:"details,omitempty"`
	Code       int32              `json:"code"`
}

// Status values.
const (
	StatusFailure = "Failure"
	StatusSuccess = "Success"
)

// Reasons that only the wire knows (engine errors carry their own).
const (
	ReasonInternal          = "InternalError"
	ReasonMethodNotAllowed  = "MethodNotAllowed"
	ReasonUnsupportedMedia  = "UnsupportedMediaType"
	ReasonTooLarge          = "RequestEntityTooLarge"
	ReasonNotAcceptable     = "NotAcceptable"
	ReasonVersionMismatch   = "VersionMismatch"
	NotFoundResourceMessage = "the server could not find the requested resource"
)

// StatusOf turns any error into a Failure Status: API errors keep their
// reason, code and details; anything else is a 500 InternalError.
func StatusOf(err error) Status {
	var se *api.StatusError
	if !errors.As(err, &se) {
		se = &api.StatusError{Reason: ReasonInternal, Code: http.StatusInternalServerError,
			Message: "Internal error occurred: " + err.Error()}
	}
	return Status{Kind: "Status", APIVersion: "v1", Status: StatusFailure,
		Message: se.Message, Reason: se.Reason, Details: se.Details, Code: se.Code}
}

// Error turns a Status back into the *api.StatusError it came from, so
// that errors.Is(err, api.ErrNotFound) holds on both sides of the wire.
func (s Status) Error() *api.StatusError {
	return &api.StatusError{Reason: s.Reason, Code: s.Code, Message: s.Message, Details: s.Details}
}

// DecodeStatus reads a Status from an error response body; a body that is
// no Status becomes an error naming the HTTP code and the text.
func DecodeStatus(code int, body []byte) *api.StatusError {
	var s Status
	if err := json.Unmarshal(body, &s); err == nil && s.Kind == "Status" {
		if s.Code == 0 {
			s.Code = int32(code)
		}
		return s.Error()
	}
	text := string(body)
	if len(text) > 512 {
		text = text[:512] + "…"
	}
	return &api.StatusError{Reason: ReasonInternal, Code: int32(code),
		Message: fmt.Sprintf("the engine answered %d %s: %s", code, http.StatusText(code), text)}
}

// NewStatusError builds an API error with a reason the api package has no
// constructor for.
func NewStatusError(code int, reason, msg string) *api.StatusError {
	return &api.StatusError{Reason: reason, Code: int32(code), Message: msg}
}
