package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Sentinel errors: every *StatusError matches exactly one of them with
// errors.Is, so callers test the class without parsing messages.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrInvalid       = errors.New("invalid")
	ErrConflict      = errors.New("conflict")
	ErrForbidden     = errors.New("forbidden")
	ErrBadRequest    = errors.New("bad request")
	ErrGone          = errors.New("gone")
	ErrTimeout       = errors.New("timeout")
	ErrUnauthorized  = errors.New("unauthorized")
)

// Reasons as Kubernetes' metav1.StatusReason spells them.
const (
	ReasonNotFound      = "NotFound"
	ReasonAlreadyExists = "AlreadyExists"
	ReasonInvalid       = "Invalid"
	ReasonConflict      = "Conflict"
	ReasonForbidden     = "Forbidden"
	ReasonBadRequest    = "BadRequest"
	ReasonGone          = "Expired"
	ReasonTimeout       = "Timeout"
	ReasonUnauthorized  = "Unauthorized"
)

var sentinelByReason = map[string]error{
	ReasonNotFound:      ErrNotFound,
	ReasonAlreadyExists: ErrAlreadyExists,
	ReasonInvalid:       ErrInvalid,
	ReasonConflict:      ErrConflict,
	ReasonForbidden:     ErrForbidden,
	ReasonBadRequest:    ErrBadRequest,
	ReasonGone:          ErrGone,
	ReasonTimeout:       ErrTimeout,
	ReasonUnauthorized:  ErrUnauthorized,
}

// StatusCause is one field problem of an Invalid error.
type StatusCause struct {
	Type    string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Field   string `json:"field,omitempty"`
}

// StatusDetails names the object an error is about.
type StatusDetails struct {
	Name   string        `json:"name,omitempty"`
	Group  string        `json:"group,omitempty"`
	Kind   string        `json:"kind,omitempty"`
	Causes []StatusCause `json:"causes,omitempty"`
}

// StatusError is an API error shaped like Kubernetes' Status object, so it
// travels over the wire unchanged and prints the same texts.
type StatusError struct {
	Reason  string         `json:"reason"`
	Code    int32          `json:"code"`
	Message string         `json:"message"`
	Details *StatusDetails `json:"details,omitempty"`
}

func (e *StatusError) Error() string { return e.Message }

// Is lets errors.Is(err, api.ErrNotFound) work on a *StatusError.
func (e *StatusError) Is(target error) bool { return sentinelByReason[e.Reason] == target }

// ReasonOf returns the Kubernetes reason of err ("" if it is no API error).
func ReasonOf(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Reason
	}
	return ""
}

// NewNotFound: `pods "x" not found`.
func NewNotFound(resource, name string) *StatusError {
	return &StatusError{Reason: ReasonNotFound, Code: http.StatusNotFound,
		Message: fmt.Sprintf("%s %q not found", resource, name),
		Details: &StatusDetails{Name: name, Kind: resource}}
}

// NewAlreadyExists: `pods "x" already exists`.
func NewAlreadyExists(resource, name string) *StatusError {
	return &StatusError{Reason: ReasonAlreadyExists, Code: http.StatusConflict,
		Message: fmt.Sprintf("%s %q already exists", resource, name),
		Details: &StatusDetails{Name: name, Kind: resource}}
}

// NewConflict: `Operation cannot be fulfilled on pods "x": <why>`.
func NewConflict(resource, name, why string) *StatusError {
	return &StatusError{Reason: ReasonConflict, Code: http.StatusConflict,
		Message: fmt.Sprintf("Operation cannot be fulfilled on %s %q: %s", resource, name, why),
		Details: &StatusDetails{Name: name, Kind: resource}}
}

// ConflictModified is the stale-resourceVersion text.
const ConflictModified = "the object has been modified; please apply your changes to the latest version and try again"

// NewForbidden: `pods "x" is forbidden: <why>`.
func NewForbidden(resource, name, why string) *StatusError {
	return &StatusError{Reason: ReasonForbidden, Code: http.StatusForbidden,
		Message: fmt.Sprintf("%s %q is forbidden: %s", resource, name, why),
		Details: &StatusDetails{Name: name, Kind: resource}}
}

// NewBadRequest carries a message as is.
func NewBadRequest(msg string) *StatusError {
	return &StatusError{Reason: ReasonBadRequest, Code: http.StatusBadRequest, Message: msg}
}

// NewGone: a watch asked for history the store no longer has.
func NewGone(msg string) *StatusError {
	return &StatusError{Reason: ReasonGone, Code: http.StatusGone, Message: msg}
}

// NewTimeout: a wait ran out of time.
func NewTimeout(msg string) *StatusError {
	return &StatusError{Reason: ReasonTimeout, Code: http.StatusGatewayTimeout, Message: msg}
}

// NewInvalid renders field errors as Kubernetes does:
// `Pod "x" is invalid: <one error>` or `... is invalid: [<e1>, <e2>]`.
func NewInvalid(kind, name string, errs field.ErrorList) *StatusError {
	causes := make([]StatusCause, 0, len(errs))
	for _, e := range errs {
		causes = append(causes, StatusCause{Type: string(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	return &StatusError{Reason: ReasonInvalid, Code: http.StatusUnprocessableEntity,
		Message: fmt.Sprintf("%s %q is invalid: %s", kind, name, aggregate(errs)),
		Details: &StatusDetails{Name: name, Kind: kind, Causes: causes}}
}

func aggregate(errs field.ErrorList) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}
