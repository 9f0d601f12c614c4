package webhook

import (
	"errors"
	"net/http"
)

// Reason is a stable, machine-readable code for why a delivery was not
// accepted. It is safe to show to the sender: it never carries a secret, a
// signature or a header value.
type Reason string

// The reasons. Their string values are part of the public contract; the
// HTTP status each one answers with is [Reason.Status].
const (
	ReasonHeadersMissing     Reason = "headers-missing"
	ReasonIDInvalid          Reason = "id-invalid"
	ReasonTimestampInvalid   Reason = "timestamp-invalid"
	ReasonTimestampTooOld    Reason = "timestamp-too-old"
	ReasonTimestampTooNew    Reason = "timestamp-too-new"
	ReasonSignatureMalformed Reason = "signature-malformed"
	ReasonSignatureMismatch  Reason = "signature-mismatch"
	ReasonBodyTooLarge       Reason = "body-too-large"
	ReasonBodyUnreadable     Reason = "body-unreadable"
	ReasonPayloadInvalid     Reason = "payload-invalid"

	// Only in HTTP answers of an [Endpoint], never in an [*Error]:
	ReasonMethodNotAllowed Reason = "method-not-allowed"
	ReasonHandlerFailed    Reason = "handler-failed"
)

// The sentinel errors, one per reason of [Verifier.Verify]. Every error the
// verifier returns is an [*Error] that matches exactly one of them with
// [errors.Is].
var (
	// ErrHeadersMissing: the delivery lacks the svix-id, svix-timestamp or
	// svix-signature header (and a complete webhook-* set as well).
	ErrHeadersMissing = errors.New("clerk webhook: signature headers missing")
	// ErrIDInvalid: the message id is empty, longer than 256 bytes, or
	// holds a space, a dot or a byte outside printable ASCII.
	ErrIDInvalid = errors.New("clerk webhook: message id is invalid")
	// ErrTimestampInvalid: the timestamp is not a decimal number of seconds.
	ErrTimestampInvalid = errors.New("clerk webhook: timestamp is invalid")
	// ErrTimestampTooOld: the timestamp is further in the past than the
	// tolerance (a replay, or a clock far behind).
	ErrTimestampTooOld = errors.New("clerk webhook: timestamp is too old")
	// ErrTimestampTooNew: the timestamp is further in the future than the
	// tolerance.
	ErrTimestampTooNew = errors.New("clerk webhook: timestamp is too far in the future")
	// ErrSignatureMalformed: the signature header is not a space-separated
	// list of "<version>,<signature>" entries, or a v1 entry is not the
	// base64 of a 32-byte HMAC-SHA256.
	ErrSignatureMalformed = errors.New("clerk webhook: signature header is malformed")
	// ErrSignatureMismatch: no v1 signature of the header matches the
	// delivery under any configured secret.
	ErrSignatureMismatch = errors.New("clerk webhook: no signature matches")
	// ErrBodyTooLarge: the body is larger than the configured maximum.
	ErrBodyTooLarge = errors.New("clerk webhook: body is too large")
	// ErrBodyUnreadable: reading the body failed.
	ErrBodyUnreadable = errors.New("clerk webhook: body could not be read")
	// ErrPayloadInvalid: the body (or an event's data) is not the JSON a
	// Clerk event has.
	ErrPayloadInvalid = errors.New("clerk webhook: payload is not a Clerk event")
)

// sentinel returns the sentinel error of r, or nil for the HTTP-only
// reasons and unknown ones.
func (r Reason) sentinel() error {
	switch r {
	case ReasonHeadersMissing:
		return ErrHeadersMissing
	case ReasonIDInvalid:
		return ErrIDInvalid
	case ReasonTimestampInvalid:
		return ErrTimestampInvalid
	case ReasonTimestampTooOld:
		return ErrTimestampTooOld
	case ReasonTimestampTooNew:
		return ErrTimestampTooNew
	case ReasonSignatureMalformed:
		return ErrSignatureMalformed
	case ReasonSignatureMismatch:
		return ErrSignatureMismatch
	case ReasonBodyTooLarge:
		return ErrBodyTooLarge
	case ReasonBodyUnreadable:
		return ErrBodyUnreadable
	case ReasonPayloadInvalid:
		return ErrPayloadInvalid
	}
	return nil
}

// Status is the HTTP status an [Endpoint] answers for the reason:
//
//   - 401 when the delivery cannot be shown to come from Clerk: the
//     signature headers are missing, no signature matches, or the timestamp
//     is outside the tolerance (a replay);
//   - 400 when the request is malformed whatever the secret: an invalid id,
//     timestamp or signature header, a body too large or unreadable, or a
//     signed body that is not a Clerk event;
//   - 405 for a method other than POST, 500 when the handler failed.
func (r Reason) Status() int {
	switch r {
	case ReasonHeadersMissing, ReasonSignatureMismatch, ReasonTimestampTooOld, ReasonTimestampTooNew:
		return http.StatusUnauthorized
	case ReasonMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case ReasonHandlerFailed:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// message is the fixed, client-safe description of a reason.
func (r Reason) message() string {
	switch r {
	case ReasonHeadersMissing:
		return "svix-id, svix-timestamp and svix-signature headers are required"
	case ReasonIDInvalid:
		return "message id is invalid"
	case ReasonTimestampInvalid:
		return "timestamp is not a number of seconds"
	case ReasonTimestampTooOld:
		return "timestamp is too old"
	case ReasonTimestampTooNew:
		return "timestamp is too far in the future"
	case ReasonSignatureMalformed:
		return "signature header is malformed"
	case ReasonSignatureMismatch:
		return "no signature matches"
	case ReasonBodyTooLarge:
		return "body is too large"
	case ReasonBodyUnreadable:
		return "body could not be read"
	case ReasonPayloadInvalid:
		return "payload is not a Clerk event"
	case ReasonMethodNotAllowed:
		return "only POST is allowed"
	case ReasonHandlerFailed:
		return "the event could not be processed; it will be retried"
	}
	return string(r)
}

// Error is the error type of every rejected delivery. Use [errors.As] to
// read its Reason, or [errors.Is] with the reason's sentinel
// ([ErrSignatureMismatch], ...) or with another *Error of the same reason.
type Error struct {
	// Reason is the stable code for the failure.
	Reason Reason
	// Err is the underlying cause, if any (a read error, a JSON error). It
	// never contains a secret or a signature.
	Err error
}

// Error describes the failure: the reason's message and the cause, never a
// secret, a signature or a header value.
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	msg := "clerk webhook: " + e.Reason.message()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is the sentinel of e's reason, or an *Error
// with the same reason.
func (e *Error) Is(target error) bool {
	if e == nil {
		return false
	}
	if t, ok := target.(*Error); ok {
		return t != nil && t.Reason == e.Reason
	}
	s := e.Reason.sentinel()
	return s != nil && target == s
}

// ReasonOf returns the reason carried by err, or "" when err is nil or not
// (wrapping) an [*Error].
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Reason
	}
	return ""
}

func newError(r Reason, cause error) *Error { return &Error{Reason: r, Err: cause} }

// ConfigError reports an invalid setting of a [Config] or of the
// environment. It names the setting, never its value.
type ConfigError struct {
	// Field is the Config field (Secrets[0], Tolerance, ...) or the
	// environment variable at fault.
	Field string
	// Problem says what is wrong with it.
	Problem string
}

// Error names the setting and the problem.
func (e *ConfigError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return "clerk webhook: invalid config: " + e.Field + ": " + e.Problem
}

// ErrNoSecret is returned by [New] and [NewFromEnv] when no signing secret
// is configured.
var ErrNoSecret = errors.New("clerk webhook: no signing secret: set Config.Secrets or " + EnvSigningSecret)

// Causes of ErrPayloadInvalid that are not JSON syntax errors.
var (
	errNoType = errors.New(`no "type"`)
	errNoData = errors.New(`"data" is not a JSON object`)
)
