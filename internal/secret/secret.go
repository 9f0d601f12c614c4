// Package secret holds credentials (secret keys, signing secrets, tokens)
// so that nothing prints them: every fmt verb, log/slog, encoding/json and
// encoding.TextMarshaler users see [Redacted], and only an explicit
// [String.Reveal] returns the value. Every holder of a secret in this
// module keeps it in a [String].
package secret

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Redacted is what a non-empty [String] shows wherever it is formatted.
const Redacted = "[redacted]"

// String is a secret string. Its String, GoString, Format (every verb),
// LogValue, MarshalJSON and MarshalText show [Redacted], or "" for an
// empty secret, so that a missing key can still be told from a set one.
// The value sits in a closure, which fmt prints as an address even where it
// calls no method (an unexported struct field, %p). The zero String is
// empty.
type String struct{ value func() string }

// New wraps s; an empty s gives the zero String.
func New(s string) String {
	if s == "" {
		return String{}
	}
	return String{value: func() string { return s }}
}

// Reveal returns the secret itself, for the one place that must send or
// use it. Never log or format what it returns.
func (s String) Reveal() string {
	if s.value == nil {
		return ""
	}
	return s.value()
}

// IsZero reports whether the secret is empty.
func (s String) IsZero() bool { return s.value == nil }

// String returns [Redacted], or "" for an empty secret.
func (s String) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// Quoted is [String.String] as a Go string literal: "[redacted]" or "".
func (s String) Quoted() string { return strconv.Quote(s.String()) }

// GoString is [String.String], for %#v.
func (s String) GoString() string { return s.String() }

// Format writes [String.String] for every verb and flag.
func (s String) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue is [String.String], for log/slog.
func (s String) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes [String.String] as a JSON string.
func (s String) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// MarshalText is [String.String], for encoders of text (encoding/xml, YAML,
// TOML, ...).
func (s String) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
