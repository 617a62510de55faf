// Package models holds the domain: entities, value types, their validation
// and the sentinel errors every layer wraps. It imports the standard library
// only; persistence lives in internal/store.
package models

import "errors"

// Sentinel errors, wrapped with %w and matched with errors.Is. Exactly one
// function (in api) maps them to HTTP problems.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable: a service the request needs (Temporal, say) did not
	// answer; trying again later may work.
	ErrUnavailable = errors.New("unavailable")
	// ErrOutcomeUnknown: a change was sent but its answer never came (a
	// timeout after the move may have taken it). It matches
	// ErrUnavailable; the caller must look before trying again.
	ErrOutcomeUnknown error = outcomeUnknown{}
)

type outcomeUnknown struct{}

func (outcomeUnknown) Error() string { return "outcome unknown" }

// Is makes errors.Is(err, ErrUnavailable) true.
func (outcomeUnknown) Is(target error) bool { return target == ErrUnavailable }

// FieldError says which input field is wrong and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ValidationError lists every field at fault; it matches ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return "invalid input"
	}
	return "invalid " + e.Fields[0].Field + ": " + e.Fields[0].Reason
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a field error.
func (e *ValidationError) Add(field, reason string) {
	e.Fields = append(e.Fields, FieldError{field, reason})
}

// Err returns e when it holds a field error, or nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// RefusedError is an answer the move would not take now (late, a
// duplicate, out of turn); Reason is shown to the caller. It matches
// ErrConflict.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

// Is makes errors.Is(err, ErrConflict) true.
func (e *RefusedError) Is(target error) bool { return target == ErrConflict }
