package bapi

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Nullable is a request field that the schema allows to be null. Its zero
// value is "not set" and the field is left out of the request; [Null] sends
// an explicit null (clearing the value on PATCH) and [Value] sends a value.
type Nullable[T any] struct {
	value T
	set   bool
	null  bool
}

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, set: true} }

// Null returns a Nullable that is sent as JSON null.
func Null[T any]() Nullable[T] { return Nullable[T]{set: true, null: true} }

// IsZero reports whether n is unset; encoding/json's omitzero uses it to
// leave the field out.
func (n Nullable[T]) IsZero() bool { return !n.set }

// IsNull reports whether n is an explicit null.
func (n Nullable[T]) IsNull() bool { return n.set && n.null }

// Get returns the value and whether n holds one (set and not null).
func (n Nullable[T]) Get() (T, bool) { return n.value, n.set && !n.null }

// MarshalJSON encodes null or the value.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if !n.set || n.null {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON decodes null or a value; either way n becomes set.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if n == nil {
		return errors.New("bapi: UnmarshalJSON into a nil *Nullable")
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}

// Ptr returns a pointer to v, for optional fields: bapi.Ptr(true).
func Ptr[T any](v T) *T { return &v }
