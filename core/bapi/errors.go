package bapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrRedirect matches (with [errors.Is]) the [*Error] of a 3xx answer. The
// client never follows a redirect: every request carries the secret key, and
// a redirect could lead it to another host or to plain http.
var ErrRedirect = errors.New("bapi: redirect refused")

// Error is a non-2xx answer of the Backend API. Use [errors.As] to reach it
// through wrapping, or the helpers [IsNotFound], [IsRateLimited], ...
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Method and Path name the call that failed (the path without the base URL).
	Method, Path string
	// Errors is Clerk's errors[] list; empty when the body was not Clerk JSON.
	Errors []ErrorDetail
	// Meta is the top-level meta object of the error body, if any.
	Meta map[string]any
	// TraceID is clerk_trace_id from the body, else the X-Clerk-Trace-Id header.
	TraceID string
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
}

// ErrorDetail is one entry of Clerk's errors[] list.
type ErrorDetail struct {
	Code        string         `json:"code"`
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message,omitempty"`
	Meta        map[string]any `json:"meta,omitempty"`
}

// Error describes the failure: call, status, and Clerk's first error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("bapi: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.isRedirect() {
		b.WriteString(" (redirect refused)")
	}
	if len(e.Errors) > 0 {
		d := e.Errors[0]
		if d.Code != "" {
			b.WriteString(": " + d.Code)
		}
		msg := d.LongMessage
		if msg == "" {
			msg = d.Message
		}
		if msg != "" {
			b.WriteString(": " + msg)
		}
		if len(e.Errors) > 1 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Errors)-1)
		}
	}
	if e.TraceID != "" {
		b.WriteString(" [trace " + e.TraceID + "]")
	}
	return b.String()
}

// Is reports whether target is [ErrRedirect] and e is a 3xx answer.
func (e *Error) Is(target error) bool { return target == ErrRedirect && e.isRedirect() }

func (e *Error) isRedirect() bool { return e != nil && e.StatusCode >= 300 && e.StatusCode <= 399 }

// HasCode reports whether one of Clerk's errors has the given code
// (for example "form_identifier_exists").
func (e *Error) HasCode(code string) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// decodeError builds an *Error from a non-2xx response. A body that is not
// Clerk's JSON keeps the status and nothing else.
func decodeError(method, path string, status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: method, Path: path}
	var payload struct {
		Errors       []ErrorDetail  `json:"errors"`
		Meta         map[string]any `json:"meta"`
		ClerkTraceID string         `json:"clerk_trace_id"`
	}
	if json.Unmarshal(body, &payload) == nil {
		e.Errors = payload.Errors
		e.Meta = payload.Meta
		e.TraceID = payload.ClerkTraceID
	}
	if e.TraceID == "" && header != nil {
		e.TraceID = header.Get("X-Clerk-Trace-Id")
	}
	if header != nil {
		e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	}
	return e
}

// StatusCode returns the HTTP status of an *Error in err's chain, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is a 401 answer (bad or missing secret key).
func IsUnauthorized(err error) bool { return StatusCode(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403 answer.
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// IsConflict reports whether err is a 409 answer.
func IsConflict(err error) bool { return StatusCode(err) == http.StatusConflict }

// IsUnprocessable reports whether err is a 422 answer (validation failed).
func IsUnprocessable(err error) bool { return StatusCode(err) == http.StatusUnprocessableEntity }

// IsRateLimited reports whether err is a 429 answer; see [Error.RetryAfter].
func IsRateLimited(err error) bool { return StatusCode(err) == http.StatusTooManyRequests }

// redact removes the secret key from the server-provided text of e, in case
// a proxy or server echoes the Authorization header back.
func (e *Error) redact(secret string) {
	if secret == "" {
		return
	}
	r := strings.NewReplacer(secret, "[redacted]")
	e.TraceID = r.Replace(e.TraceID)
	for i := range e.Errors {
		d := &e.Errors[i]
		d.Code, d.Message, d.LongMessage = r.Replace(d.Code), r.Replace(d.Message), r.Replace(d.LongMessage)
	}
}
