package containers

import "errors"

// Errors of this package, wrapped with context; test them with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrInvalid       = errors.New("invalid")
	ErrNotRunning    = errors.New("not running")
)
